"""`newsbot cron`: show, install or remove the crontab line of a scheduled crawl
(newsbot/run/schedule.py)."""

from __future__ import annotations

import argparse

from newsbot.cli.common import (
    UsageError,
    add_db_option,
    check_output_path,
    crontab_safe,
    require_site,
)

NAME = "cron"
HELP = "show, install or remove the crontab line"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("show", "install", "remove"))
    parser.add_argument("slugs", nargs="*", metavar="SLUG", help="sites (default: every enabled)")
    add_db_option(parser, parse=crontab_safe)
    timing = parser.add_mutually_exclusive_group()
    timing.add_argument("--every", help="15m, 30m, 1h, 2h, 3h, 4h, 6h or 12h (default 1h)")
    timing.add_argument("--at", metavar="HH:MM", help="once a day at this time (machine's clock)")
    parser.add_argument(
        "--export", metavar="FILE", type=crontab_safe, help="export all articles after each crawl"
    )
    parser.add_argument("--excel", action="store_true", help="the export as CSV for Excel")


def run(args: argparse.Namespace) -> int:
    from newsbot.run import schedule

    for slug in args.slugs:
        require_site(slug)
    if args.export:
        check_output_path(args.export)
    try:
        job = schedule.job_for(
            args.db, args.slugs, every=args.every, at=args.at, export=args.export, excel=args.excel
        )
        line = job.line()
        if args.action == "show":
            print(line)
            program = schedule.crontab_program()
            if program:
                current = schedule.installed_line(schedule.read_crontab(program), job)
                state = (
                    "not installed"
                    if current is None
                    else ("installed" if current == line else f"installed differently: {current}")
                )
                print(f"# {state}")
            else:
                print("# no crontab program on this machine")
            return 0
        program = schedule.require_crontab()
        table = schedule.read_crontab(program)
        if args.action == "install":
            schedule.write_crontab(program, schedule.with_job(table, job))
            print(f"installed: {line}")
        else:
            if schedule.installed_line(table, job) is None:
                print(f"no newsbot line for {job.db} in the crontab; nothing removed")
                return 0
            schedule.write_crontab(program, schedule.without_job(table, job))
            print(f"removed the newsbot line for {job.db}")
    except schedule.ScheduleError as error:
        raise UsageError(str(error)) from error
    return 0
