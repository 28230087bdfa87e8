"""Command-line usage and configuration errors: one line that says what to fix, exit code 2."""

from __future__ import annotations

import pytest
from rich.console import Console
from surface_samples import sample_report

from agent.analysis.summary import money
from agent.surfaces.cli import main as cli
from agent.surfaces.cli.arguments import is_loopback
from agent.surfaces.cli.output import opportunities_table, print_report
from tools.models import Report
from tools.resource_label import label


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_unknown_region_is_a_usage_error(capsys) -> None:
    assert _run(["run", "--regions", "us-east-1,mars-1"], capsys) == (
        2, "", "cost-agent run: --regions: unknown region 'mars-1'; use names such as us-east-1,eu-west-1\n")


def test_bad_lookback_is_a_usage_error(capsys) -> None:
    assert _run(["run", "--lookback-days", "0"], capsys) == (
        2, "", "cost-agent run: --lookback-days: expected a whole number of days between 1 and 395, got 0\n")
    assert _run(["run", "--lookback-days", "ten"], capsys) == (
        2, "", "cost-agent run: --lookback-days: expected a whole number, got 'ten' (see cost-agent run --help)\n")


def test_report_paths_that_are_directories_are_usage_errors(capsys, tmp_path) -> None:
    assert _run(["run", "--json", str(tmp_path)], capsys) == (
        2, "", f"cost-agent run: --json: {tmp_path} is a directory; name the file to write\n")
    assert _run(["run", "--html", str(tmp_path)], capsys) == (
        2, "", f"cost-agent run: --html: {tmp_path} is a directory; name the file to write\n")


def test_demo_out_must_be_a_directory(capsys, tmp_path) -> None:
    taken = tmp_path / "report.txt"
    taken.write_text("")
    assert _run(["demo", "--out", str(taken)], capsys) == (
        2, "", f"cost-agent demo: --out: {taken} is a file; name a directory for report.json and report.html\n")
    assert _run(["demo", "--out", str(taken / "below")], capsys) == (
        2, "", f"cost-agent demo: --out: cannot create {taken / 'below'} (Not a directory); "
               "name a directory you can write to\n")


def test_an_empty_question_is_said_once(capsys) -> None:
    assert _run(["ask", "  "], capsys) == (2, "", "cost-agent ask: the question is empty\n")


def test_setting_errors_reach_the_user_in_our_words(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "many")
    assert _run(["run"], capsys) == (
        2, "", "cost-agent run: AWS_MAX_ATTEMPTS: expected a whole number between 1 and 20, got 'many'\n")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("COST", "cheap")
    assert _run(["demo"], capsys) == (
        2, "", "cost-agent demo: COST: expected a JSON object of cost settings such as "
               "'{\"bedrock_input_cost_per_1k\": 0.003}', or one COST__<NAME> variable per setting\n")


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


def test_argparse_errors_are_one_line_and_exit_2(capsys) -> None:
    assert _run(["frobnicate"], capsys) == (
        2, "", "cost-agent: COMMAND: invalid choice: 'frobnicate' (choose from 'demo', 'run', 'ask', 'serve', 'mcp', "
               "'sandbox') (see cost-agent --help)\n")
    assert _run([], capsys) == (
        2, "", "cost-agent: the following arguments are required: COMMAND (see cost-agent --help)\n")
    assert _run(["run", "--bogus"], capsys) == (
        2, "", "cost-agent: unrecognized arguments: --bogus (see cost-agent --help)\n")


EXIT_TABLE = """exit codes:
  0  success
  1  the run failed
  2  bad usage or configuration (one line on stderr says what to fix)
  3  the run finished with partial results (some region or service failed)
"""


def test_help_lists_every_command_in_one_line_and_the_exit_codes(capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = _run(["--help"], capsys)
    assert (code, err) == (0, "")
    assert out.endswith(EXIT_TABLE)
    listed = dict(line.split(maxsplit=1) for line in out.split("commands:\n  COMMAND\n")[1].split("\n\n")[0]
                  .splitlines())
    assert listed == {
        "demo": "run the agent on a simulated account, write the report",
        "run": "run the agent on the AWS account the environment points at",
        "ask": "ask a question about spend, answered from stored data",
        "serve": "the HTTP API",
        "mcp": "the read-only chat tools over MCP (stdio) for other agents and IDEs",
        "sandbox": "a simulated AWS account on loopback",
    }


@pytest.mark.parametrize("command", ["demo", "run", "ask", "serve", "mcp"])
def test_each_command_help_says_what_it_does_and_the_exit_codes(capsys, monkeypatch, command: str) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code, out, err = _run([command, "--help"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith(f"usage: cost-agent {command} ")
    assert out.endswith(EXIT_TABLE)


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
    assert ("2026-10-24 to 2026-11-22: spend $2,260.00; savings $224.89 a month: waste $224.89 = 9.95 % of spend, "
            "pricing levers $0.00; 3 kinds of opportunity, 1 anomalies; this run cost $0.0823") in " ".join(text.split())
    table = opportunities_table(sample_report())
    assert [c.header for c in table.columns] == ["opportunity, largest resource", "service", "count", "savings/mo",
                                                 "priority"]
    assert list(table.columns[3].cells) == ["$210.24", "$11.00", "$3.65"]
    rows = [line.split() for line in text.splitlines()]
    at = rows.index(["idle_resource", "EC2", "2", "$210.24", "high"])
    assert text.splitlines()[at + 1].rstrip() == "  i-0idle000000000001 (us-east-1) $140.16"


def _long_names_report() -> Report:
    """The sample with the longest labels real accounts have: 26-character allocation ids, 63-character buckets,
    the longest region names, a five-figure saving."""
    report = sample_report()
    eip, vol = report.opportunities[2], report.opportunities[1]
    eip.resources[0].resource_id = "eipalloc-0123456789abcdef0"
    eip.resources[0].region = "ap-southeast-2"
    vol.type = "s3_incomplete_uploads"
    vol.service = "S3"
    vol.resources[0].resource_id = "a" * 20 + "-logs-archive-" + "b" * 29
    vol.resources[0].region = "ap-northeast-3"
    vol.resources[0].estimated_savings = vol.estimated_savings = 12345.67
    return report


@pytest.mark.parametrize("report", [sample_report(), _long_names_report()], ids=["sample", "long names"])
def test_the_report_reads_at_80_columns_and_no_cell_is_cut(report: Report) -> None:
    console = Console(width=80, record=True)
    print_report(console, report)
    text = console.export_text()
    assert "…" not in text and max(len(line) for line in text.splitlines()) <= 80
    words = set(text.split())
    for opp in report.opportunities:
        top = max(opp.resources, key=lambda f: f.savings)
        cells = [opp.type, opp.service, str(opp.resource_count), money(opp.estimated_savings), opp.priority,
                 label(top.resource_id, top.region, top.name), money(top.savings)]
        missing = [w for cell in cells for w in cell.split() if w not in words]
        if missing:  # a single word wider than its column folds onto the next line, whole
            joined = "".join(line.strip() for line in text.splitlines())
            assert all(w in joined for w in missing), missing
    for anomaly in report.anomalies:
        assert {str(anomaly.date), anomaly.region, money(anomaly.actual_cost)} <= words


def test_no_cost_data_is_said_not_shown_as_zero() -> None:
    report = sample_report().model_copy(update={"total_monthly_cost": 0.0, "by_service": {}, "by_region": {},
                                                "waste_percentage": 0.0})
    console = Console(width=200, record=True)
    print_report(console, report)
    text = console.export_text()
    assert ("2026-10-24 to 2026-11-22: no cost data yet (Cost Explorer has none for the period; it needs up to a "
            "day after it is enabled); savings $224.89 a month: waste $224.89, pricing levers $0.00; 3 kinds of "
            "opportunity, 1 anomalies; this run cost $0.0823") in " ".join(text.split())
    assert "spend $0.00" not in text


def test_sandbox_options_reach_the_sandbox(capsys) -> None:
    code, _, err = _run(["sandbox", "--scale", "0"], capsys)
    assert code == 2
    assert err == "cost-agent sandbox: --scale: expected a number of EC2 instances, 1 or more, got 0\n"
    code, out, _ = _run(["sandbox", "--help"], capsys)
    assert code == 0 and out.startswith("usage: cost-agent sandbox")
