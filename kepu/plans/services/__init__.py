"""Writes of the plan ledger, one module per part of the office's work:

ledger (plans, tasks, units, indicators, rules), importing (document import drafts and commit),
reporting (progress reports and their review), supervision (lights, reminders, 督办单),
assessment (rubrics, scores, publication). Each function takes the actor, checks the action and the
row's scope, runs in one transaction and leaves audit entries.
"""
