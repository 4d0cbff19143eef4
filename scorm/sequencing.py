"""SCORM 2004 sequencing basics (IMS Simple Sequencing): control mode, rules, objectives, delivery controls and
limits, read from ``imsss:sequencing`` elements; and the one rule the LMS acts on, "disabled until the previous item
is satisfied", resolved to the items it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from xml.etree.ElementTree import Element

from scorm.xmltree import as_bool, as_float, find, find_all, local_name, text_of

if TYPE_CHECKING:
    from scorm.manifest import Item

# Precondition actions that keep an item from being chosen until its rule's condition stops holding.
GATING_ACTIONS = frozenset({"disabled", "skip", "hiddenFromChoice"})
_RULE_KINDS = {"preconditionrule": "precondition", "exitconditionrule": "exit",
               "postconditionrule": "postcondition"}


@dataclass
class ObjectiveMap:
    """An objective's link to a global (shared) objective, and which way the status flows."""

    target: str
    read_satisfied: bool = True
    write_satisfied: bool = False
    read_measure: bool = True
    write_measure: bool = False


@dataclass
class Objective:
    identifier: str
    is_primary: bool = False
    satisfied_by_measure: bool = False
    min_normalized_measure: float | None = None
    maps: list[ObjectiveMap] = field(default_factory=list)


@dataclass
class RuleCondition:
    condition: str
    operator: str = "noOp"
    referenced_objective: str | None = None
    measure_threshold: float | None = None


@dataclass
class SequencingRule:
    kind: str  # "precondition", "exit" or "postcondition"
    action: str
    conditions: list[RuleCondition] = field(default_factory=list)
    combination: str = "all"


@dataclass
class ControlMode:
    """How learners move among an activity's children (IMS SS defaults)."""

    choice: bool = True
    choice_exit: bool = True
    flow: bool = False
    forward_only: bool = False


@dataclass
class Sequencing:
    """The 2004 sequencing of an item or organization, with any shared collection entry already merged in."""

    control_mode: ControlMode = field(default_factory=ControlMode)
    rules: list[SequencingRule] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    completion_set_by_content: bool = False
    objective_set_by_content: bool = False
    attempt_limit: int | None = None
    attempt_duration_limit: str | None = None

    @property
    def primary_objective(self) -> Objective | None:
        return next((objective for objective in self.objectives if objective.is_primary), None)

    def objective(self, identifier: str) -> Objective | None:
        return next((objective for objective in self.objectives if objective.identifier == identifier), None)


def read_sequencing(element: Element, collection: dict[str, Element], warnings: list[str]) -> Sequencing:
    """An imsss:sequencing element read into a Sequencing; unknown shared rules are a warning.

    A shared collection entry (IDRef) gives defaults; each child element the item states replaces its own.
    """
    parts: dict[str, Element] = {}
    reference = element.get("IDRef")
    if reference:
        shared = collection.get(reference)
        if shared is None:
            warnings.append(f"Sequencing refers to the shared rules “{reference}”, which the manifest does not "
                            f"define; they are ignored.")
        else:
            parts.update((local_name(child.tag).lower(), child) for child in shared)
    parts.update((local_name(child.tag).lower(), child) for child in element)
    sequencing = Sequencing()
    control = parts.get("controlmode")
    if control is not None:
        sequencing.control_mode = ControlMode(
            choice=as_bool(control.get("choice"), True), choice_exit=as_bool(control.get("choiceExit"), True),
            flow=as_bool(control.get("flow"), False), forward_only=as_bool(control.get("forwardOnly"), False))
    rules = parts.get("sequencingrules")
    if rules is not None:
        sequencing.rules = [_rule(rule) for rule in rules if local_name(rule.tag).lower() in _RULE_KINDS]
    objectives = parts.get("objectives")
    if objectives is not None:
        sequencing.objectives = [_objective(objective) for objective in objectives
                                 if local_name(objective.tag).lower() in ("primaryobjective", "objective")]
    delivery = parts.get("deliverycontrols")
    if delivery is not None:
        sequencing.completion_set_by_content = as_bool(delivery.get("completionSetByContent"), False)
        sequencing.objective_set_by_content = as_bool(delivery.get("objectiveSetByContent"), False)
    limits = parts.get("limitconditions")
    if limits is not None:
        attempts = limits.get("attemptLimit")
        sequencing.attempt_limit = int(attempts) if attempts and attempts.strip().isdigit() else None
        sequencing.attempt_duration_limit = limits.get("attemptAbsoluteDurationLimit")
    return sequencing


def _rule(element: Element) -> SequencingRule:
    kind = _RULE_KINDS[local_name(element.tag).lower()]
    conditions_element = find(element, "ruleconditions")
    conditions = []
    if conditions_element is not None:
        conditions = [RuleCondition(condition=condition.get("condition") or "",
                                    operator=condition.get("operator") or "noOp",
                                    referenced_objective=condition.get("referencedObjective"),
                                    measure_threshold=as_float(condition.get("measureThreshold") or ""))
                      for condition in find_all(conditions_element, "rulecondition")]
    action = find(element, "ruleaction")
    return SequencingRule(kind=kind, action=(action.get("action") or "") if action is not None else "",
                          conditions=conditions,
                          combination=(conditions_element.get("conditionCombination") or "all")
                          if conditions_element is not None else "all")


def _objective(element: Element) -> Objective:
    measure = text_of(find(element, "minnormalizedmeasure"))
    by_measure = as_bool(element.get("satisfiedByMeasure"), False)
    return Objective(
        identifier=element.get("objectiveID") or "",
        is_primary=local_name(element.tag).lower() == "primaryobjective",
        satisfied_by_measure=by_measure,
        min_normalized_measure=as_float(measure) if measure else (1.0 if by_measure else None),
        maps=[ObjectiveMap(target=mapping.get("targetObjectiveID") or "",
                           read_satisfied=as_bool(mapping.get("readSatisfiedStatus"), True),
                           write_satisfied=as_bool(mapping.get("writeSatisfiedStatus"), False),
                           read_measure=as_bool(mapping.get("readNormalizedMeasure"), True),
                           write_measure=as_bool(mapping.get("writeNormalizedMeasure"), False))
              for mapping in find_all(element, "mapinfo")])


def sequencing_collection(root: Element) -> dict[str, Element]:
    """The manifest's shared sequencing entries (imsss:sequencingCollection) by their ID."""
    collection = find(root, "sequencingcollection")
    if collection is None:
        return {}
    return {entry.get("ID"): entry for entry in find_all(collection, "sequencing") if entry.get("ID")}


def resolve_preconditions(items: list[Item]) -> None:
    """Turn "disabled until the previous item is satisfied" rules into ``Item.requires_satisfied``.

    Such a rule reads a local objective that maps (readSatisfiedStatus) to a global objective which another
    item's primary objective writes (writeSatisfiedStatus): that other item must be satisfied first.
    """
    writers: dict[str, str] = {}
    for item in items:
        primary = item.sequencing.primary_objective if item.sequencing else None
        for mapping in primary.maps if primary else ():
            if mapping.write_satisfied:
                writers[mapping.target] = item.identifier
    for item in items:
        if item.sequencing is None:
            continue
        for rule in item.sequencing.rules:
            if rule.kind != "precondition" or rule.action not in GATING_ACTIONS:
                continue
            for condition in rule.conditions:
                if condition.condition != "satisfied" or condition.operator != "not":
                    continue
                objective = item.sequencing.objective(condition.referenced_objective or "")
                if objective is None or objective.is_primary:
                    continue
                for mapping in objective.maps:
                    writer = writers.get(mapping.target)
                    if mapping.read_satisfied and writer and writer != item.identifier \
                            and writer not in item.requires_satisfied:
                        item.requires_satisfied.append(writer)
                        item.precondition_action = rule.action
