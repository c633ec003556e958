"""Plan 100,000 synthetic cases on one core and print cases per second against the target.

Target (issue 3): at least 5,000 cases per second. The cases come from the demo generator's
synthetic patients (built before the clock starts); the clinic calendar has public holidays, as a
clinic's would.

    python benchmarks/bench_planning.py [--cases N]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, date, datetime

from survtrack.domain.errors import BadInput
from survtrack.protocols.clinic_calendar import ClinicCalendar
from survtrack.protocols.generator import plan_case
from survtrack.protocols.loader import load_protocols
from survtrack.services.demo import _synth_patient

TARGET_CASES_PER_SECOND = 5_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--country", default="US")
    args = parser.parse_args()
    rng = random.Random(2026)
    today, now = date(2026, 11, 23), datetime.now(UTC)
    built = time.perf_counter()
    cases = [_synth_patient(rng, i, today, now).case for i in range(args.cases)]
    print(f"built {len(cases):,} cases in {time.perf_counter() - built:.1f} s")
    protocols = load_protocols()
    calendar = ClinicCalendar(args.country)
    start = time.perf_counter()
    events = refused = 0
    for case in cases:
        try:
            events += len(plan_case(case, protocols, calendar).events)
        except BadInput:  # GIST and Kaposi in the demo: "choose a protocol"
            refused += 1
    elapsed = time.perf_counter() - start
    rate = len(cases) / elapsed
    print(
        f"planned {len(cases):,} cases ({events:,} events; {refused:,} refused: no default "
        f"protocol) in {elapsed:.2f} s"
    )
    verdict = "met" if rate >= TARGET_CASES_PER_SECOND else "NOT met"
    print(
        f"cases per second: {rate:,.0f}  target {TARGET_CASES_PER_SECOND:,}  "
        f"ratio {rate / TARGET_CASES_PER_SECOND:.2f}x ({verdict})"
    )


if __name__ == "__main__":
    main()
