"""Everything that touches the outside world: AWS collectors, ClickHouse storage, prices, billing."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("optiinfra-cost-agent")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.1.0"
