"""Generate tools/pricing/price_data/ec2.json from the saved Karpenter pricing table (a real, named source).

    .venv/bin/python scripts/price_book/gen_ec2_from_karpenter.py [--check]

Inputs (all under scripts/price_book/, see save_sources.py for how they were saved):
- source/zz_generated.pricing_aws.go: aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go
  (Apache-2.0), us-east-1 on-demand Linux hourly prices generated from the AWS Pricing API. Its generation date
  is the book's effective_date.
- vCPUs and memory per type, from real EC2 DescribeInstanceTypes data, in this order: the installed moto's
  moto/ec2/resources/instance_types.json.gz; source/karpenter_instance_types_v1.0_extract.md;
  source/moto_2021_instance_types_extract.json. A type with no spec is left out (and listed).
- regional_anchors.json: per-region anchor prices (transcribed 2026-11-01, unconfirmed) and the proxy region of
  every commercial region without anchors. The commercial regions are botocore's endpoints.json partition 'aws'.

--check regenerates in memory and fails if tools/pricing/price_data/ec2.json differs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Any

import botocore
import moto

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SOURCE = HERE / "source"
GO_FILE = SOURCE / "zz_generated.pricing_aws.go"
DOCS_EXTRACT = SOURCE / "karpenter_instance_types_v1.0_extract.md"
MOTO_2021 = SOURCE / "moto_2021_instance_types_extract.json"
ANCHORS = HERE / "regional_anchors.json"
OUT = ROOT / "tools" / "pricing" / "price_data" / "ec2.json"

PREVIOUS_GENERATION = {"t2": "t3", "m4": "m5", "m3": "m5", "c4": "c5", "c3": "c5", "r4": "r5", "r3": "r5",
                       "i2": "i3", "d2": "d3"}
"""Previous-generation family -> the current family a like-for-like move goes to (carried over from the book of
2026-11-01; every pair is checked to exist in the source)."""

_HEADER = re.compile(r"^// (Repository|Path|Commit|Last change of this file|Generated|License):\s*(.*)$", re.M)
_GENERATED = re.compile(r"^// generated at (\S+) for (\S+)$", re.M)
_REGION = re.compile(r'^\t"([a-z0-9-]+)": \{$', re.M)
_PRICE = re.compile(r'"([a-z0-9-]+\.[a-z0-9-]+)": ([0-9]+\.[0-9]+)')


def parse_karpenter(text: str) -> tuple[dict[str, str], dict[str, dict[str, Decimal]]]:
    """(provenance header fields, {region: {instance type: hourly USD}}) of the saved Go file."""
    header = {key: value.strip() for key, value in _HEADER.findall(text)}
    generated = _GENERATED.search(text)
    if not generated:
        raise ValueError("the Karpenter file has no '// generated at <time> for <region>' line")
    header["generated_at"], header["generated_for"] = generated.groups()
    body = text[text.index("var InitialOnDemandPricesAWS"):]
    starts = [(m.start(), m.group(1)) for m in _REGION.finditer(body)]
    prices: dict[str, dict[str, Decimal]] = {}
    for i, (start, region) in enumerate(starts):
        end = starts[i + 1][0] if i + 1 < len(starts) else len(body)
        prices[region] = {name: Decimal(value) for name, value in _PRICE.findall(body[start:end])}
    return header, prices


def moto_specs() -> dict[str, tuple[int, int]]:
    """{type: (vCPUs, memory MiB)} from the installed moto's EC2 DescribeInstanceTypes data."""
    path = Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz"
    data = json.loads(gzip.decompress(path.read_bytes()))
    return {name: (int(item["VCpuInfo"]["DefaultVCpus"]), int(item["MemoryInfo"]["SizeInMiB"]))
            for name, item in data.items()}


def docs_specs(text: str) -> dict[str, tuple[int, int]]:
    """{type: (vCPUs, memory MiB)} from the Karpenter instance-type reference sections."""
    specs: dict[str, tuple[int, int]] = {}
    for section in re.split(r"^### `", text, flags=re.M)[1:]:
        name = section.split("`", 1)[0]
        cpu = re.search(r"\|karpenter\.k8s\.aws/instance-cpu\|(\d+)\|", section)
        mem = re.search(r"\|karpenter\.k8s\.aws/instance-memory\|(\d+)\|", section)
        if cpu and mem:
            specs[name] = (int(cpu.group(1)), int(mem.group(1)))
    return specs


def moto_2021_specs(data: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """{type: (vCPUs, memory MiB)} from the 2021 moto entries (memory given in GiB there)."""
    return {name: (int(item["vcpus"]), int(Decimal(str(item["memory"])) * 1024))
            for name, item in data.items() if not name.startswith("_")}


def commercial_regions() -> list[str]:
    path = Path(botocore.__file__).parent / "data" / "endpoints.json"
    partitions = json.loads(path.read_text())["partitions"]
    (aws,) = [p for p in partitions if p["partition"] == "aws"]
    return sorted(aws["regions"])


def _gib(mib: int) -> float | int:
    value = Decimal(mib) / 1024
    return int(value) if value == value.to_integral_value() else float(value)


def _number(value: Decimal) -> float | int:
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def build() -> tuple[dict[str, Any], list[str]]:
    header, prices = parse_karpenter(GO_FILE.read_text(encoding="utf-8"))
    base_region = header["generated_for"]
    if list(prices) != [base_region] or base_region != "us-east-1":
        raise ValueError(f"expected us-east-1 prices only, found {list(prices)}")
    base = prices[base_region]
    layers = [
        ("moto", moto_specs()),
        ("karpenter-docs", docs_specs(DOCS_EXTRACT.read_text(encoding="utf-8"))),
        ("moto-2021", moto_2021_specs(json.loads(MOTO_2021.read_text(encoding="utf-8")))),
    ]
    types: dict[str, dict[str, Any]] = {}
    skipped: list[str] = []
    for name in sorted(base, key=lambda n: (n.rsplit(".", 1)[0], n)):
        price = base[name]
        spec = next(((tag, specs[name]) for tag, specs in layers if name in specs), None)
        if spec is None or price <= 0:
            skipped.append(f"{name} ({'no vCPU/memory in any spec source' if spec is None else 'price 0'})")
            continue
        tag, (vcpus, mib) = spec
        types[name] = {"vcpus": vcpus, "memory_gib": _gib(mib), "hourly": _number(price), "spec": tag}

    families = sorted({n.rsplit(".", 1)[0] for n in types})
    for old, new in PREVIOUS_GENERATION.items():
        if old not in families or new not in families:
            raise ValueError(f"previous-generation pair {old} -> {new} is not in the source")

    anchors_data = json.loads(ANCHORS.read_text(encoding="utf-8"))
    anchor_types: dict[str, str] = anchors_data["anchors"]
    for klass, anchor in anchor_types.items():
        if Decimal(str(anchors_data["regions"][base_region][klass])) != base[anchor]:
            raise ValueError(f"us-east-1 anchor {anchor} differs from the source price {base[anchor]}")
    regions = commercial_regions()
    anchored = {r: a for r, a in anchors_data["regions"].items() if r in regions}
    proxies = {r: p for r, p in anchors_data["proxies"].items() if r in regions and r not in anchored}
    uncovered = [r for r in regions if r not in anchored and r not in proxies]
    if uncovered:
        raise ValueError(f"commercial regions with neither anchors nor a proxy: {uncovered}")

    spec_counts = {tag: sum(1 for t in types.values() if t["spec"] == tag) for tag, _ in layers}
    book = {
        "source": (f"aws/karpenter-provider-aws {header.get('Path', '')} at commit {header.get('Commit', '')}; "
                   f"last changed {header.get('Last change of this file', '')}. Generated "
                   f"{header['generated_at']} for {base_region} from the AWS Pricing API (on-demand, Linux, "
                   "shared tenancy; bare-metal sizes as Karpenter lists them). License Apache-2.0. Saved copy: "
                   "scripts/price_book/source/zz_generated.pricing_aws.go"),
        "source_name": "Karpenter AWS provider pricing table, from the AWS Pricing API",
        "effective_date": header["generated_at"][:10],
        "generator": "scripts/price_book/gen_ec2_from_karpenter.py",
        "spec_sources": {
            "moto": (f"moto {metadata.version('moto')} moto/ec2/resources/instance_types.json.gz (EC2 "
                     f"DescribeInstanceTypes data, Apache-2.0): {spec_counts['moto']} types"),
            "karpenter-docs": ("aws/karpenter-provider-aws website/content/en/v1.0/reference/instance-types.md "
                               "(generated from DescribeInstanceTypes, Apache-2.0), saved extract "
                               "scripts/price_book/source/karpenter_instance_types_v1.0_extract.md: "
                               f"{spec_counts['karpenter-docs']} types"),
            "moto-2021": ("getmoto/moto moto/ec2/resources/instance_types.json at 442fcd4e (2021-02-21, Apache-2.0), "
                          "saved extract scripts/price_book/source/moto_2021_instance_types_extract.json: "
                          f"{spec_counts['moto-2021']} types"),
        },
        "regional_source": (f"Only {base_region} is in the source. Every other commercial region (botocore "
                            f"{metadata.version('botocore')} endpoints.json, partition 'aws') is a regional "
                            "ESTIMATE: us-east-1 price x the region's anchor ratio for the type's class (anchor "
                            "prices transcribed 2026-11-01, NOT confirmed against a named source); a region with no "
                            "anchors borrows the ratios of its proxy region. Every quote says which."),
        "currency": "USD",
        "unit": "hour",
        "notes": ("types: us-east-1 hourly prices exactly as the source lists them; vcpus and memory_gib from the "
                  "spec source named by 'spec'. Class of a family: its first letter via class_of_letter, default "
                  "'m'. previous_generation: family -> current family for like-for-like moves."),
        "class_of_letter": anchors_data["class_of_letter"],
        "anchors": anchor_types,
        "regions": anchored,
        "region_proxies": proxies,
        "previous_generation": PREVIOUS_GENERATION,
        "skipped": skipped,
        "types": types,
    }
    return book, skipped


def render(book: dict[str, Any]) -> str:
    """JSON with one instance type per line, so a regeneration diffs by type."""
    head = {k: v for k, v in book.items() if k != "types"}
    text = json.dumps(head, indent=1)[:-2]
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in book["types"].items()]
    text += ',\n "types": {\n' + ",\n".join(lines) + "\n }\n}\n"
    json.loads(text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the packaged ec2.json is not up to date")
    args = parser.parse_args()
    book, skipped = build()
    text = render(book)
    families = {n.rsplit(".", 1)[0] for n in book["types"]}
    summary = (f"{len(book['types'])} types, {len(families)} families, "
               f"{len(book['regions']) + len(book['region_proxies'])} regions "
               f"({len(book['regions'])} anchored, {len(book['region_proxies'])} by proxy), "
               f"effective {book['effective_date']}; skipped {len(skipped)}")
    if args.check:
        current = OUT.read_text(encoding="utf-8")
        if current != text:
            print(f"{OUT} is out of date ({summary})", file=sys.stderr)
            return 1
        print(f"{OUT} is up to date: {summary}")
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}: {summary}")
    for line in skipped:
        print(f"  skipped {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
