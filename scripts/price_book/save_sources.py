"""Save the public source files the price book is generated from, with a provenance header, under source/.

Run once per refresh, from git checkouts of the named repositories (any clone works; `git show` reads a commit):

    python scripts/price_book/save_sources.py --karpenter /path/to/karpenter-provider-aws \
        --moto /path/to/moto [--karpenter-commit HEAD]

It writes:
- source/zz_generated.pricing_aws.go: aws/karpenter-provider-aws pkg/providers/pricing/zz_generated.pricing_aws.go,
  unmodified below the header (Apache-2.0). us-east-1 on-demand Linux prices generated from the AWS Pricing API.
- source/karpenter_instance_types_v1.0_extract.md: the sections of aws/karpenter-provider-aws
  website/content/en/v1.0/reference/instance-types.md (generated from EC2 DescribeInstanceTypes; Apache-2.0) for
  the priced types that the installed moto does not describe (vCPUs and memory of older types).
- source/moto_2021_instance_types_extract.json: entries of getmoto/moto moto/ec2/resources/instance_types.json at
  a 2021 commit (Apache-2.0) for the priced types neither of the above describes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
from importlib import metadata
from pathlib import Path

import moto

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "source"
KARPENTER_PRICES = "pkg/providers/pricing/zz_generated.pricing_aws.go"
KARPENTER_DOCS = "website/content/en/v1.0/reference/instance-types.md"
MOTO_2021_COMMIT = "442fcd4e51462d757b9ce58b5ef9ecbc02ac75ea"
"""The last getmoto/moto commit whose instance_types.json still listed cr1.8xlarge (removed in a0d7a943, 2021-02-22)."""
MOTO_2021_PATH = "moto/ec2/resources/instance_types.json"
PRICE = re.compile(r'"([a-z0-9-]+\.[a-z0-9-]+)": ([0-9.]+)')


def git(repo: Path, *args: str) -> str:
    return subprocess.run(  # noqa: S603
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout  # noqa: S607


def installed_moto_types() -> dict[str, object]:
    path = Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz"
    data: dict[str, object] = json.loads(gzip.decompress(path.read_bytes()))
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--karpenter", type=Path, required=True, help="git directory of aws/karpenter-provider-aws")
    parser.add_argument("--karpenter-commit", default="HEAD")
    parser.add_argument("--moto", type=Path, required=True, help="git directory of getmoto/moto")
    args = parser.parse_args()

    head = git(args.karpenter, "rev-parse", args.karpenter_commit).strip()
    head_date = git(args.karpenter, "show", "-s", "--format=%cI", head).strip()
    changed = git(args.karpenter, "log", "-1", "--format=%H %cI %s", head, "--", KARPENTER_PRICES).strip()
    go = git(args.karpenter, "show", f"{head}:{KARPENTER_PRICES}")
    generated = re.search(r"// generated at (\S+) for (\S+)", go)
    assert generated, "the Karpenter file no longer says when it was generated"
    header = "\n".join([
        "// Saved copy: the source of tools/pricing/price_data/ec2.json "
        "(scripts/price_book/gen_ec2_from_karpenter.py).",
        "// Repository: https://github.com/aws/karpenter-provider-aws",
        f"// Path:       {KARPENTER_PRICES}",
        f"// Commit:     {head} (repository HEAD, {head_date})",
        f"// Last change of this file: {changed}",
        f"// Generated:  {generated.group(1)} for {generated.group(2)}, from the AWS Pricing API (on-demand, Linux)",
        "// License:    Apache-2.0 (the original license header follows). The file is unmodified below this block.",
        "// ----------------------------------------------------------------------------------------------------",
        "",
    ])
    SOURCE.mkdir(exist_ok=True)
    (SOURCE / "zz_generated.pricing_aws.go").write_text(header + go, encoding="utf-8")

    priced = [name for name, _ in PRICE.findall(go)]
    known = installed_moto_types()
    lacking = [t for t in priced if t not in known]

    docs = git(args.karpenter, "show", f"{head}:{KARPENTER_DOCS}")
    sections = {s.split("`", 1)[0]: "### `" + s for s in re.split(r"^### `", docs, flags=re.M)[1:]}
    from_docs = [t for t in lacking if t in sections]
    docs_changed = git(args.karpenter, "log", "-1", "--format=%H %cI", head, "--", KARPENTER_DOCS).strip()
    md = "\n".join([
        "<!--",
        "Saved extract: vCPUs and memory of EC2 types the installed moto",
        f"({metadata.version('moto')}) does not describe, for scripts/price_book/gen_ec2_from_karpenter.py.",
        "Repository: https://github.com/aws/karpenter-provider-aws",
        f"Path:       {KARPENTER_DOCS} (generated from EC2 DescribeInstanceTypes by hack/docs/instancetypes_gen)",
        f"Commit:     {head} (repository HEAD, {head_date}); file last changed {docs_changed}",
        "License:    Apache-2.0. The sections below are copied verbatim; other types' sections are left out.",
        "-->",
        "",
    ]) + "".join(sections[t].rstrip("\n") + "\n" for t in from_docs)
    (SOURCE / "karpenter_instance_types_v1.0_extract.md").write_text(md, encoding="utf-8")

    rest = [t for t in lacking if t not in sections]
    old = json.loads(git(args.moto, "show", f"{MOTO_2021_COMMIT}:{MOTO_2021_PATH}"))
    date = git(args.moto, "show", "-s", "--format=%cI", MOTO_2021_COMMIT).strip()
    extract = {
        "_provenance": {
            "repository": "https://github.com/getmoto/moto",
            "path": MOTO_2021_PATH,
            "commit": MOTO_2021_COMMIT,
            "commit_date": date,
            "license": "Apache-2.0",
            "note": ("Entries copied verbatim for the priced types that neither the installed moto nor the Karpenter "
                     "instance-type reference describes. 'vcpus' is the vCPU count, 'memory' GiB."),
        },
        **{t: old[t] for t in rest if t in old},
    }
    (SOURCE / "moto_2021_instance_types_extract.json").write_text(json.dumps(extract, indent=1) + "\n",
                                                                  encoding="utf-8")
    missing = [t for t in rest if t not in old]
    print(f"{len(priced)} priced types; moto {metadata.version('moto')} lacks {len(lacking)}: "
          f"{len(from_docs)} from the Karpenter reference, {len(rest) - len(missing)} from moto 2021, "
          f"{len(missing)} without a spec: {missing}")


if __name__ == "__main__":
    main()
