"""Pure analysis rules: inventory + utilization + prices in, findings with dollars and evidence out."""

from agent.analysis.analyzer import AWSCostAnalyzer
from agent.analysis.report import AnalysisResult
from agent.analysis.summary import DETERMINISTIC_SOURCE, deterministic_summary

__all__ = ["AWSCostAnalyzer", "AnalysisResult", "DETERMINISTIC_SOURCE", "deterministic_summary"]
