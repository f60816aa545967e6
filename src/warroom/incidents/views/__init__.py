"""Pages of the incident process (plan §4): pages.py reads, lifecycle.py and work.py act;
page.py gathers what the incident page shows, base.py how an action answers."""
