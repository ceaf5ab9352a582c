"""The naive baseline: what a user would write instead of plaincrm.

A python-frontmatter loop that loads every profile and prints the birthdays and the services due
in the next 7 days. ``python -m benchmarks.baseline VAULT --date 2026-11-22``.
"""

import argparse
import datetime as dt
from pathlib import Path

import frontmatter


def to_date(value):
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("vault")
    parser.add_argument("--date", default=None)
    args = parser.parse_args()
    today = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    week = today + dt.timedelta(days=7)

    for path in sorted(Path(args.vault).rglob("*.md")):
        try:
            post = frontmatter.load(path)
        except Exception as exc:
            print(f"{path}: {exc}")
            continue
        name = post.get("name", path.stem)
        birthday = to_date(post.get("birthday"))
        if birthday:
            try:
                this_year = birthday.replace(year=today.year)
            except ValueError:  # 29 February
                this_year = dt.date(today.year, 3, 1)
            if this_year < today:
                this_year = this_year.replace(year=today.year + 1)
            if this_year <= week:
                print(f"{this_year}  birthday  {name}")
        due = to_date(post.get("service_due"))
        if due and today <= due <= week:
            print(f"{due}  service   {name}")


if __name__ == "__main__":
    main()
