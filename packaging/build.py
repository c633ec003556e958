"""Build the Windows (or Linux) bundle, check it, and optionally the installer.

    python packaging/build.py            # wheel -> dist/SurvTrack/ (PyInstaller, onedir)
    python packaging/build.py --check    # ... then smoke-test the frozen executables
    python packaging/build.py --installer  # ... then dist/SurvTrack-<version>-setup.exe (Windows)

Steps: build the wheel (``pip wheel --no-deps .``) and unpack it into build/site, so the bundle
holds exactly what ``pip install`` installs (resources/ mapped to survtrack/resources by
pyproject.toml); write the Windows version resource from the wheel's metadata (the version lives
only in pyproject.toml); run PyInstaller on packaging/survtrack.spec. ``--check`` plans every
worked example (tests/data/examples/*.case.json) with the frozen console executable and compares
with the expected JSON, then starts the frozen windowed app with ``--smoke-test`` (offscreen)
and requires it to open the main window and quit. Each step prints how long it took.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from importlib.metadata import Distribution
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUILD = REPO / "build"
DIST = REPO / "dist"
SITE = BUILD / "site"
BUNDLE = DIST / "SurvTrack"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
GUI = BUNDLE / f"SurvTrack{EXE_SUFFIX}"
CLI = BUNDLE / f"survtrack-cli{EXE_SUFFIX}"
EXAMPLES = REPO / "tests" / "data" / "examples"
STARTED = time.monotonic()
#: makes a clinic database with its first administrator "checker" (argv: URL, password)
FIRST_ADMIN = """
import sys
from survtrack.services.auth import create_user
from survtrack.services.database import open_clinic_database
db = open_clinic_database(sys.argv[1], create=True)
create_user(db, "checker", "Bundle Check", "administrator", sys.argv[2], None)
db.dispose()
"""


def step(message: str) -> None:
    print(f"\n=== {message} ({time.monotonic() - STARTED:.0f} s)", flush=True)


def run(*command: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in command], check=True, text=True, **kwargs)  # type: ignore[call-overload]


def build_wheel() -> Path:
    step("wheel")
    wheels = BUILD / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    shutil.rmtree(BUILD / "lib", ignore_errors=True)  # setuptools' staging: no stale modules
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", REPO, "-w", wheels)
    (wheel,) = wheels.glob("survtrack-*.whl")
    shutil.rmtree(SITE, ignore_errors=True)
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(SITE)
    print(wheel.name)
    return wheel


def wheel_version() -> str:
    (info,) = SITE.glob("survtrack-*.dist-info")
    return Distribution.at(info).version


def version_resource(version: str) -> Path:
    """A PyInstaller version file (the Windows Details tab: product, version, copyright)."""
    numbers = [int(part) for part in version.split("+")[0].split(".")[:3] if part.isdigit()]
    quad = tuple([*numbers, 0, 0, 0, 0][:4])
    text = f"""# written by packaging/build.py from the wheel metadata (pyproject.toml version)
VSVersionInfo(
  ffi=FixedFileInfo(filevers={quad}, prodvers={quad}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', 'SurvTrack'),
      StringStruct('FileDescription', 'SurvTrack - sarcoma follow-up surveillance'),
      StringStruct('FileVersion', '{version}'),
      StringStruct('InternalName', 'SurvTrack'),
      StringStruct('OriginalFilename', 'SurvTrack.exe'),
      StringStruct('ProductName', 'SurvTrack'),
      StringStruct('ProductVersion', '{version}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
    path = BUILD / "file_version_info.txt"
    path.write_text(text, encoding="utf-8")
    return path


def pyinstaller(version_file: Path) -> None:
    step("PyInstaller (onedir: SurvTrack + survtrack-cli)")
    env = dict(os.environ, SURVTRACK_SITE=str(SITE), SURVTRACK_VERSION_FILE=str(version_file))
    run(
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        "--distpath",
        DIST,
        "--workpath",
        BUILD / "pyinstaller",
        REPO / "packaging" / "survtrack.spec",
        env=env,
    )


def check(version: str) -> None:
    step("frozen CLI: --version and every worked example")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    shown = run(CLI, "--version", capture_output=True, env=env).stdout.strip()
    if shown != f"survtrack {version}":
        raise SystemExit(f"frozen CLI says {shown!r}, the wheel is {version}")
    quiet = {"capture_output": True}
    cases = sorted(EXAMPLES.glob("*.case.json"))
    if not cases:
        raise SystemExit(f"no worked examples in {EXAMPLES}")
    for case in cases:
        expected = json.loads(case.with_name(case.name.replace(".case", ".expected")).read_text())
        plan = json.loads(run(CLI, "plan", case, capture_output=True, env=env).stdout)
        got = {
            "stage": plan["stage"],
            "risk": plan["risk"],
            "events": [
                {k: e[k] for k in ("kind", "due", "window_start", "window_end", "episode")}
                for e in plan["events"]
            ],
        }
        want = {k: expected[k] for k in ("stage", "risk", "events")}
        if got != want:
            raise SystemExit(f"frozen CLI plans {case.name} differently from its expected JSON")
        print(f"{case.name}: {len(plan['events'])} events as expected")
    step("frozen CLI: holidays, a database, FHIR")
    with tempfile.TemporaryDirectory(prefix="survtrack-check-") as tmp:
        data = dict(env, SURVTRACK_DATA_DIR=tmp)  # migrations run on a new SQLite file
        madrid = run(CLI, "plan", cases[0], "--country", "ES", "--region", "MD", **quiet, env=data)
        json.loads(madrid.stdout)
        run(CLI, "demo", "--patients", "3", **quiet, env=data)  # into the demo database only
        # a clinic database with its first administrator (made by the build's own Python, as the
        # window's first start would), then the frozen CLI signs in to it: argon2 is in the bundle
        clinic = f"sqlite:///{Path(tmp, 'clinic.db')}"
        password = "a frozen check's long passphrase"
        run(sys.executable, "-c", FIRST_ADMIN, clinic, password, **quiet, env=data)
        signed = dict(data, SURVTRACK_USER="checker", SURVTRACK_PASSWORD=password)
        run(CLI, "demo", "--patients", "3", "--db", clinic, **quiet, env=signed)
        bundle = Path(tmp, "patient.json")
        run(CLI, "fhir", "--mrn", "1000001", "-o", bundle, "--db", clinic, **quiet, env=signed)
        if json.loads(bundle.read_text())["resourceType"] != "Bundle":
            raise SystemExit("frozen CLI wrote no FHIR Bundle")
        print("public holidays of Madrid, the demo database, a sign-in, a FHIR Bundle: fine")
    step("frozen app: --smoke-test (offscreen)")
    result = run(GUI, "--smoke-test", capture_output=True, env=env, timeout=180)
    print(result.stdout.strip() or "(windowed executable: no console output) exit 0")


def installer(version: str) -> None:
    step("Inno Setup installer")
    iscc = shutil.which("iscc") or r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe"
    run(iscc, f"/DAppVersion={version}", f"/DDist={BUNDLE}", REPO / "packaging" / "survtrack.iss")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="smoke-test the frozen bundle")
    parser.add_argument("--installer", action="store_true", help="also run Inno Setup (Windows)")
    parser.add_argument(
        "--skip-build", action="store_true", help="check an existing dist/SurvTrack only"
    )
    args = parser.parse_args()
    if not args.skip_build:
        build_wheel()
        version = wheel_version()
        pyinstaller(version_resource(version))
    else:
        version = wheel_version()
    if args.check:
        check(version)
    if args.installer:
        installer(version)
    step(f"done: {BUNDLE} (version {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
