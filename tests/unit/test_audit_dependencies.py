"""tools/audit_dependencies.py (`make audit`): what fails, what only warns. No network here:
the tools' JSON answers are given as they look."""

from __future__ import annotations

import json

import pytest

from tools import audit_dependencies as audit

PIP_AUDIT = {
    "dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "werkzeug", "version": "3.0.0", "vulns": [
            {"id": "GHSA-aaaa", "fix_versions": ["3.0.6"], "aliases": []},
            {"id": "PYSEC-bbbb", "fix_versions": [], "aliases": []},
        ]},
        {"name": "private-thing", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    ],
    "fixes": [],
}

NPM_AUDIT = {
    "auditReportVersion": 2,
    "vulnerabilities": {
        "htmx.org": {"name": "htmx.org", "severity": "moderate", "range": "<2.0.8", "fixAvailable": True,
                     "via": [{"title": "XSS in hx-on", "url": "https://github.com/advisories/GHSA-cccc"}]},
        "left-pad": {"name": "left-pad", "severity": "low", "range": "*", "fixAvailable": False,
                     "via": [{"title": "Too short", "url": "https://github.com/advisories/GHSA-dddd"}]},
    },
}


def test_pip_audit_findings_keep_the_fix_and_the_skipped_packages():
    findings, skipped = audit.parse_pip_audit(json.dumps(PIP_AUDIT))
    assert [(f.package, f.advisory, f.fixed_in) for f in findings] == [
        ("werkzeug", "GHSA-aaaa", "3.0.6"), ("werkzeug", "PYSEC-bbbb", "")]
    assert skipped == ["private-thing"]


def test_pip_audit_that_reached_nothing_audited_nothing():
    nothing = {"dependencies": [{"name": "flask", "version": "3.1.3", "skip_reason": "not found"}]}
    with pytest.raises(audit.CouldNotAudit):
        audit.parse_pip_audit(json.dumps(nothing))
    with pytest.raises(audit.CouldNotAudit, match="Name or service not known"):
        audit.parse_pip_audit("", "Traceback...\nConnectionError: Failed to resolve 'pypi.org' (Name or service not known)")


def test_npm_audit_findings_and_an_unreachable_registry():
    findings = audit.parse_npm_audit(json.dumps(NPM_AUDIT))
    assert [(f.package, bool(f.fixed_in)) for f in findings] == [("htmx.org", True), ("left-pad", False)]
    assert "GHSA-cccc" in findings[0].advisory
    error = {"error": {"code": "ENOAUDIT", "summary": "", "detail": ""}}
    stderr = "npm error audit endpoint returned an error\nnpm error A complete log of this run can be found in: x.log"
    with pytest.raises(audit.CouldNotAudit, match="audit endpoint returned an error"):
        audit.parse_npm_audit(json.dumps(error), stderr)


def run_main(monkeypatch, python, npm, ci: bool) -> int:
    monkeypatch.setattr(audit, "python_findings", python)
    monkeypatch.setattr(audit, "npm_findings", npm)
    monkeypatch.delenv("AUDIT_REQUIRED", raising=False)
    monkeypatch.delenv("AUDIT_ALLOW_OFFLINE", raising=False)
    if ci:
        monkeypatch.setenv("CI", "1")
    else:
        monkeypatch.delenv("CI", raising=False)
    return audit.main()


def unreachable():
    raise audit.CouldNotAudit("no network")


@pytest.mark.parametrize("ci", [False, True])
def test_a_vulnerability_with_a_fix_fails_one_without_only_warns(monkeypatch, capsys, ci):
    fixable = audit.Finding("Python", "werkzeug", "3.0.0", "GHSA-aaaa", "3.0.6")
    unfixable = audit.Finding("npm", "left-pad", "*", "low: GHSA-dddd", "")
    assert run_main(monkeypatch, lambda: ([fixable], []), lambda: [unfixable], ci) == 1
    assert run_main(monkeypatch, lambda: ([], []), lambda: [unfixable], ci) == 0
    assert "no fix yet  npm: left-pad" in capsys.readouterr().out


def test_no_network_fails_on_ci_and_warns_elsewhere(monkeypatch, capsys):
    assert run_main(monkeypatch, unreachable, lambda: [], ci=True) == 2
    assert run_main(monkeypatch, unreachable, lambda: [], ci=False) == 0
    assert "WARNING: nothing was audited" in capsys.readouterr().err
    monkeypatch.setenv("CI", "1")
    monkeypatch.setenv("AUDIT_ALLOW_OFFLINE", "1")
    assert audit.main() == 0, "an explicit override lets a CI without the advisory services pass with a warning"
