"""Data governance (issue 17, item 5): who is responsible for a dataset (roles per
organisation and per dataset), when its metadata was last reviewed, the steward's worklist
and the reminders that mail it."""
