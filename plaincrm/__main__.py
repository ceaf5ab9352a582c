from plaincrm.cli import main

main(prog_name="plaincrm")
