"""Health of the terminal: each device's state in words an operator can act on."""
