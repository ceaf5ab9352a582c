from plaincrm.cli import run

run()
