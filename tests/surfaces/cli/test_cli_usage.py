"""Command-line usage and configuration errors: one line that says what to fix, exit code 2."""

from __future__ import annotations

import pytest
from rich.console import Console
from surface_samples import sample_report

from agent.surfaces.cli import main as cli
from agent.surfaces.cli.arguments import is_loopback
from agent.surfaces.cli.output import opportunities_table, print_report


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_unknown_region_is_a_usage_error(capsys) -> None:
    assert _run(["run", "--regions", "us-east-1,mars-1"], capsys) == (
        2, "", "cost-agent run: --regions: unknown region 'mars-1'; use names such as us-east-1,eu-west-1\n")


def test_bad_lookback_is_a_usage_error(capsys) -> None:
    assert _run(["run", "--lookback-days", "0"], capsys) == (
        2, "", "cost-agent run: --lookback-days: expected a whole number of days between 1 and 395\n")


def test_bad_environment_is_one_line_and_exit_2(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGIONS", "us-east-1,atlantis-1")
    code, out, err = _run(["run"], capsys)
    assert (code, out) == (2, "")
    assert err == ("cost-agent run: AWS_REGIONS: expected a comma-separated list of AWS region names such as "
                   "us-east-1,eu-west-1, got 'us-east-1,atlantis-1'\n")


def test_serve_refuses_a_public_address_without_a_key(capsys) -> None:
    assert _run(["serve", "--host", "0.0.0.0", "--port", "8999"], capsys) == (
        2, "", "cost-agent serve: refusing to listen on 0.0.0.0 without API_KEY: set API_KEY, "
               "or use --host 127.0.0.1\n")


def test_argparse_errors_exit_2_and_help_exits_0(capsys) -> None:
    code, _, err = _run(["frobnicate"], capsys)
    assert code == 2 and "invalid choice: 'frobnicate'" in err
    code, out, _ = _run(["--help"], capsys)
    assert code == 0 and "demo" in out and "serve" in out and "sandbox" in out


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("::1", True), ("localhost", True),
                                                ("127.0.0.2", True), ("0.0.0.0", False), ("10.0.0.5", False),
                                                ("example.com", False)])
def test_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_tables_show_the_top_opportunities() -> None:
    console = Console(width=160, record=True)
    print_report(console, sample_report())
    text = console.export_text()
    assert "Spend was $2,260.00 over 30 days." in text
    assert ("2026-10-24 to 2026-11-22: spend $2,260.00, waste $224.89 (9.95 %), 3 kinds of opportunity, "
            "1 anomalies; this run cost $0.0823") in text
    table = opportunities_table(sample_report())
    assert [c.header for c in table.columns] == ["type", "service", "resources", "savings / month", "priority",
                                                 "largest"]
    assert list(table.columns[3].cells) == ["$210.24", "$11.00", "$3.65"]
    assert list(table.columns[5].cells)[0] == "i-0idle000000000001 (us-east-1) $140.16"


def test_sandbox_options_reach_the_sandbox(capsys) -> None:
    code, _, err = _run(["sandbox", "--scale", "0"], capsys)
    assert code == 2
    assert err.startswith("sandbox: --scale must be >= 1 and --regions a comma-separated list of ")
    assert err.count("\n") == 1 and "us-east-1" in err
    code, out, _ = _run(["sandbox", "--help"], capsys)
    assert code == 0 and out.startswith("usage: cost-agent sandbox")
