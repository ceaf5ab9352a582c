"""One module per command; ``plaincrm.cli.COMMANDS`` maps names to them."""
