"""`make audit`: known vulnerabilities in the Python and npm packages we install.

Fails (exit 1) on a vulnerability that has a fixed version: upgrade the pin.
A vulnerability without a fix is listed but does not fail: there is nothing to
upgrade to (read the advisory and decide).

What is audited:
- Python: every package installed in .venv from pyproject.toml, the dev extra
  included (the test tools run on CI with network access), as `pip freeze`
  lists them: pip and setuptools themselves are the venv's tooling, not ours.
- npm: package-lock.json, devDependencies included, for the same reason.

Both need the network (PyPI's and npm's advisory services). When either cannot
be reached, nothing was audited: that fails on CI (CI or AUDIT_REQUIRED set;
AUDIT_ALLOW_OFFLINE=1 overrides, for a CI without that network), and elsewhere
prints a warning and exits 0, so `make test` works offline.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / ".venv" / "bin"
TIMEOUT_SECONDS = 180


class CouldNotAudit(Exception):
    """The advisory service did not answer: we know nothing either way."""


@dataclass(frozen=True)
class Finding:
    ecosystem: str
    package: str
    version: str
    advisory: str
    fixed_in: str  # "" when there is no fix

    def __str__(self) -> str:
        fix = f"fixed in {self.fixed_in}" if self.fixed_in else "no fix yet"
        return f"{self.ecosystem}: {self.package} {self.version}: {self.advisory} ({fix})"


# --- Python: pip-audit ---------------------------------------------------------------


def python_findings() -> tuple[list[Finding], list[str]]:
    """(findings, packages that could not be audited)."""
    frozen = subprocess.run(
        [str(VENV_BIN / "python"), "-m", "pip", "freeze", "--exclude-editable"],
        capture_output=True, text=True, check=True,
    ).stdout
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as requirements:
        requirements.write(frozen)
    try:
        result = subprocess.run(
            [str(VENV_BIN / "pip-audit"), "--requirement", requirements.name, "--no-deps", "--disable-pip",
             "--format", "json", "--progress-spinner", "off", "--timeout", "20"],
            capture_output=True, text=True, timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as error:
        raise CouldNotAudit(f"pip-audit gave no answer in {TIMEOUT_SECONDS} s") from error
    finally:
        os.unlink(requirements.name)
    return parse_pip_audit(result.stdout, result.stderr)


def parse_pip_audit(stdout: str, stderr: str = "") -> tuple[list[Finding], list[str]]:
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError as error:
        raise CouldNotAudit("pip-audit: " + last_line(stderr)) from error
    dependencies = report.get("dependencies", [])
    skipped = [f"{d['name']} {d.get('version', '')}".strip() for d in dependencies if d.get("skip_reason")]
    if dependencies and len(skipped) == len(dependencies):
        raise CouldNotAudit("PyPI's vulnerability data answered for none of the packages")
    findings = [
        Finding("Python", d["name"], d["version"], vuln["id"], ", ".join(vuln.get("fix_versions", [])))
        for d in dependencies
        for vuln in d.get("vulns", [])
    ]
    return findings, skipped


# --- npm: npm audit ------------------------------------------------------------------


def npm_findings() -> list[Finding]:
    try:
        result = subprocess.run(
            ["npm", "audit", "--json", "--include=dev"], cwd=REPO, capture_output=True, text=True,
            timeout=TIMEOUT_SECONDS,
        )
    except subprocess.TimeoutExpired as error:
        raise CouldNotAudit(f"npm audit gave no answer in {TIMEOUT_SECONDS} s") from error
    return parse_npm_audit(result.stdout, result.stderr)


def parse_npm_audit(stdout: str, stderr: str = "") -> list[Finding]:
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError as error:
        raise CouldNotAudit("npm audit: " + last_line(stderr)) from error
    if "error" in report:
        error = report["error"] if isinstance(report["error"], dict) else {}
        raise CouldNotAudit("npm audit: " + (error.get("summary") or error.get("detail") or last_line(stderr)))
    findings = []
    for name, entry in report.get("vulnerabilities", {}).items():
        advisories = [via for via in entry.get("via", []) if isinstance(via, dict)]
        described = ", ".join(via.get("url") or via.get("title", "") for via in advisories) or "via " + ", ".join(
            via for via in entry.get("via", []) if isinstance(via, str)
        )
        fix = entry.get("fixAvailable")
        fixed_in = (f"{fix.get('name')} {fix.get('version')}" if isinstance(fix, dict) else "npm audit fix") if fix else ""
        findings.append(Finding("npm", name, entry.get("range", ""), f"{entry.get('severity')}: {described}", fixed_in))
    return findings


# --- Both ---------------------------------------------------------------------------


def last_line(text: str) -> str:
    """The line that says what went wrong: the tools end with where their log is, not why."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    telling = [line for line in lines if "complete log" not in line and "Unknown user config" not in line]
    return (telling or lines or ["no output"])[-1]


def audit_is_required() -> bool:
    """On CI an audit that could not run fails, unless someone said, by name, that it may not."""
    if os.environ.get("AUDIT_ALLOW_OFFLINE"):
        return False
    return bool(os.environ.get("CI") or os.environ.get("AUDIT_REQUIRED"))


def main() -> int:
    findings: list[Finding] = []
    unaudited: list[str] = []
    audits = (("Python (pip-audit)", python_findings), ("npm (npm audit)", lambda: (npm_findings(), [])))
    for name, audit in audits:
        try:
            found, skipped = audit()
        except CouldNotAudit as error:
            unaudited.append(f"{name}: {error}")
            continue
        findings += found
        if skipped:
            print(f"{name}: not audited (unknown to the advisory service): {', '.join(skipped)}")
    fixable = [finding for finding in findings if finding.fixed_in]
    for finding in findings:
        print(("VULNERABLE  " if finding.fixed_in else "no fix yet  ") + str(finding))
    for problem in unaudited:
        print(f"COULD NOT AUDIT  {problem}", file=sys.stderr)
    if fixable:
        print(f"{len(fixable)} known vulnerabilities with a fix: upgrade the pins (pyproject.toml, package.json).",
              file=sys.stderr)
        return 1
    if unaudited:
        if audit_is_required():
            print("The advisory services could not be reached, so nothing was proven safe (CI: failing).",
                  file=sys.stderr)
            return 2
        print("WARNING: nothing was audited: the advisory services did not answer. `make audit` to retry where they do.",
              file=sys.stderr)
        return 0
    print("No known vulnerabilities with a fix in the Python or npm packages.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
