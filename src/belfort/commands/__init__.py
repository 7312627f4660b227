"""Command groups of the ``belfort`` command kept in modules of their own; ``belfort.cli``
adds each module's ``command`` (a click command or group) to the main group."""
