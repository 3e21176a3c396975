"""The eAccounting probe: a fixed sequence of questions that settles each unknown of Visma's API by
observation on a test company (`manage.py probe_eaccounting`, docs/probe.md).

steps.py decides (pure), recorder.py sends and keeps every exchange (secrets masked), run.py runs
the sequence, findings.py compares the findings with the running contract and accepts them.
"""
