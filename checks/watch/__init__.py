"""Watch mode: minutes of light samples, and a verdict on what failed when.

`sampler` measures (a connect per server, one DNS answer, the gateway, the link),
`analysis` turns samples into outages, gaps and events with bounded memory
(`series`), `summary` names the causes in both languages, `report` builds the
`wxdoctor.watch/1` JSON and `runner` keeps the schedule. Never imports Qt.
"""
