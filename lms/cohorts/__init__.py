"""Cohorts: groups of learners that administrators enrol together, with due dates, bulk import and reports."""
