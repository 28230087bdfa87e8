"""Build tools/pricing/price_data/ec2.json from a compact transcription (us-east-1 Linux on-demand)."""
import json, re, sys

def vc(size):
    if size == "nano" or size == "micro" or size == "small": return None
    if size == "medium": return 1
    if size == "large": return 2
    if size == "xlarge": return 4
    return 4 * int(size[:-6])

# family: (memory per vCPU or None, {size: price or (price, vcpus, mem)})
T_SPECS = {"nano": (2, 0.5), "micro": (2, 1), "small": (2, 2), "medium": (2, 4), "large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32)}
T2_SPECS = {"nano": (1, 0.5), "micro": (1, 1), "small": (1, 2), "medium": (2, 4), "large": (2, 8), "xlarge": (4, 16), "2xlarge": (8, 32)}
SIZES = ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge", "32xlarge", "48xlarge"]

def scaled(base, sizes, digits=4):
    out = {}
    for s in sizes:
        n = vc(s) / 2
        out[s] = round(base * n, digits)
    return out

def t_family(prices, specs=T_SPECS):
    return None, {s: (p, *specs[s]) for s, p in prices.items()}

F = {}
F["t2"] = t_family(dict(zip(T2_SPECS, [0.0058, 0.0116, 0.023, 0.0464, 0.0928, 0.1856, 0.3712])), T2_SPECS)
F["t3"] = t_family(dict(zip(T_SPECS, [0.0052, 0.0104, 0.0208, 0.0416, 0.0832, 0.1664, 0.3328])))
F["t3a"] = t_family(dict(zip(T_SPECS, [0.0047, 0.0094, 0.0188, 0.0376, 0.0752, 0.1504, 0.3008])))
F["t4g"] = t_family(dict(zip(T_SPECS, [0.0042, 0.0084, 0.0168, 0.0336, 0.0672, 0.1344, 0.2688])))
# previous generation, irregular specs
F["m3"] = (None, {"medium": (0.067, 1, 3.75), "large": (0.133, 2, 7.5), "xlarge": (0.266, 4, 15), "2xlarge": (0.532, 8, 30)})
F["m4"] = (4, {"large": 0.10, "xlarge": 0.20, "2xlarge": 0.40, "4xlarge": 0.80, "10xlarge": 2.00, "16xlarge": 3.20})
F["c3"] = (None, {"large": (0.105, 2, 3.75), "xlarge": (0.21, 4, 7.5), "2xlarge": (0.42, 8, 15), "4xlarge": (0.84, 16, 30), "8xlarge": (1.68, 32, 60)})
F["c4"] = (None, {"large": (0.10, 2, 3.75), "xlarge": (0.199, 4, 7.5), "2xlarge": (0.398, 8, 15), "4xlarge": (0.796, 16, 30), "8xlarge": (1.591, 36, 60)})
F["r3"] = (None, {"large": (0.166, 2, 15), "xlarge": (0.333, 4, 30.5), "2xlarge": (0.665, 8, 61), "4xlarge": (1.33, 16, 122), "8xlarge": (2.66, 32, 244)})
F["r4"] = (None, {"large": (0.133, 2, 15.25), "xlarge": (0.266, 4, 30.5), "2xlarge": (0.532, 8, 61), "4xlarge": (1.064, 16, 122), "8xlarge": (2.128, 32, 244), "16xlarge": (4.256, 64, 488)})
F["i2"] = (None, {"xlarge": (0.853, 4, 30.5), "2xlarge": (1.705, 8, 61), "4xlarge": (3.41, 16, 122), "8xlarge": (6.82, 32, 244)})
F["d2"] = (None, {"xlarge": (0.69, 4, 30.5), "2xlarge": (1.38, 8, 61), "4xlarge": (2.76, 16, 122), "8xlarge": (5.52, 36, 244)})
# current generation, regular specs (memory = ratio x vCPUs)
F["m5"] = (4, scaled(0.096, SIZES[:8]))
F["m5a"] = (4, scaled(0.086, SIZES[:8]))
F["m5d"] = (4, scaled(0.113, SIZES[:8]))
F["m6i"] = (4, scaled(0.096, SIZES[:9]))
F["m6a"] = (4, scaled(0.0864, SIZES))
F["m6g"] = (4, scaled(0.077, ["medium"] + SIZES[:7]))
F["m7i"] = (4, scaled(0.1008, SIZES[:8] + ["48xlarge"]))
F["m7g"] = (4, scaled(0.0816, ["medium"] + SIZES[:7]))
F["m7a"] = (4, scaled(0.11592, ["medium"] + SIZES, 5))
F["c5"] = (2, {"large": 0.085, "xlarge": 0.17, "2xlarge": 0.34, "4xlarge": 0.68, "9xlarge": 1.53, "12xlarge": 2.04, "18xlarge": 3.06, "24xlarge": 4.08})
F["c5a"] = (2, scaled(0.077, SIZES[:8]))
F["c5n"] = (None, {"large": (0.108, 2, 5.25), "xlarge": (0.216, 4, 10.5), "2xlarge": (0.432, 8, 21), "4xlarge": (0.864, 16, 42), "9xlarge": (1.944, 36, 96), "18xlarge": (3.888, 72, 192)})
F["c6i"] = (2, scaled(0.085, SIZES[:9]))
F["c6a"] = (2, scaled(0.0765, SIZES))
F["c6g"] = (2, scaled(0.068, ["medium"] + SIZES[:7]))
F["c7i"] = (2, scaled(0.08925, SIZES[:8] + ["48xlarge"], 5))
F["c7g"] = (2, {"medium": 0.0363, "large": 0.0725, "xlarge": 0.145, "2xlarge": 0.29, "4xlarge": 0.58, "8xlarge": 1.16, "12xlarge": 1.74, "16xlarge": 2.32})
F["r5"] = (8, scaled(0.126, SIZES[:8]))
F["r5a"] = (8, scaled(0.113, SIZES[:8]))
F["r6i"] = (8, scaled(0.126, SIZES[:9]))
F["r6a"] = (8, scaled(0.1134, SIZES))
F["r6g"] = (8, scaled(0.1008, ["medium"] + SIZES[:7]))
F["r7i"] = (8, scaled(0.1323, SIZES[:8] + ["48xlarge"]))
F["r7g"] = (8, {"medium": 0.0536, "large": 0.1071, "xlarge": 0.2142, "2xlarge": 0.4284, "4xlarge": 0.8568, "8xlarge": 1.7136, "12xlarge": 2.5704, "16xlarge": 3.4272})
F["i3"] = (None, {"large": (0.156, 2, 15.25), "xlarge": (0.312, 4, 30.5), "2xlarge": (0.624, 8, 61), "4xlarge": (1.248, 16, 122), "8xlarge": (2.496, 32, 244), "16xlarge": (4.992, 64, 488)})
F["i4i"] = (8, {"large": 0.172, "xlarge": 0.343, "2xlarge": 0.686, "4xlarge": 1.373, "8xlarge": 2.746, "12xlarge": 4.118, "16xlarge": 5.491, "24xlarge": 8.237, "32xlarge": 10.982})
F["d3"] = (8, {"xlarge": 0.499, "2xlarge": 0.999, "4xlarge": 1.998, "8xlarge": 3.995})
F["x2idn"] = (16, {"16xlarge": 6.669, "24xlarge": 10.0035, "32xlarge": 13.338})
F["g4dn"] = (4, {"xlarge": 0.526, "2xlarge": 0.752, "4xlarge": 1.204, "8xlarge": 2.176, "12xlarge": 3.912, "16xlarge": 4.352})
F["g5"] = (4, {"xlarge": 1.006, "2xlarge": 1.212, "4xlarge": 1.624, "8xlarge": 2.448, "12xlarge": 5.672, "16xlarge": 4.096, "24xlarge": 8.144, "48xlarge": 16.288})

# more current families (AWS published us-east-1 prices)
F["m5n"] = (4, scaled(0.119, SIZES[:8]))
F["m5ad"] = (4, scaled(0.103, SIZES[:8]))
F["m5zn"] = (None, {"large": (0.1652, 2, 8), "xlarge": (0.3303, 4, 16), "2xlarge": (0.6607, 8, 32), "3xlarge": (0.9911, 12, 48), "6xlarge": (1.982, 24, 96), "12xlarge": (3.9641, 48, 192)})
F["m6gd"] = (4, scaled(0.0904, ["medium"] + SIZES[:7]))
F["m6in"] = (4, scaled(0.13923, SIZES[:9], 5))
F["m8g"] = (4, scaled(0.08976, ["medium"] + SIZES[:7] + ["24xlarge", "48xlarge"], 5))
F["c5d"] = (2, {"large": 0.096, "xlarge": 0.192, "2xlarge": 0.384, "4xlarge": 0.768, "9xlarge": 1.728, "12xlarge": 2.304, "18xlarge": 3.456, "24xlarge": 4.608})
F["c6id"] = (2, scaled(0.1008, SIZES[:9]))
F["c6in"] = (2, scaled(0.1134, SIZES[:9]))
F["c6gd"] = (2, scaled(0.0768, ["medium"] + SIZES[:7]))
F["c6gn"] = (2, scaled(0.0864, ["medium"] + SIZES[:7]))
F["c7a"] = (2, scaled(0.10266, ["medium"] + SIZES, 5))
F["c8g"] = (2, scaled(0.07976, ["medium"] + SIZES[:7] + ["24xlarge", "48xlarge"], 5))
F["r5d"] = (8, scaled(0.144, SIZES[:8]))
F["r5n"] = (8, scaled(0.149, SIZES[:8]))
F["r5b"] = (8, scaled(0.149, SIZES[:8]))
F["r5ad"] = (8, scaled(0.131, SIZES[:8]))
F["r6id"] = (8, scaled(0.1512, SIZES[:9]))
F["r6gd"] = (8, scaled(0.1152, ["medium"] + SIZES[:7]))
F["r8g"] = (8, scaled(0.11782, ["medium"] + SIZES[:7] + ["24xlarge", "48xlarge"], 5))
F["z1d"] = (None, {"large": (0.186, 2, 16), "xlarge": (0.372, 4, 32), "2xlarge": (0.744, 8, 64), "3xlarge": (1.116, 12, 96), "6xlarge": (2.232, 24, 192), "12xlarge": (4.464, 48, 384)})
F["x1"] = (None, {"16xlarge": (6.669, 64, 976), "32xlarge": (13.338, 128, 1952)})
F["x1e"] = (None, {"xlarge": (0.834, 4, 122), "2xlarge": (1.668, 8, 244), "4xlarge": (3.336, 16, 488), "8xlarge": (6.672, 32, 976), "16xlarge": (13.344, 64, 1952), "32xlarge": (26.688, 128, 3904)})
F["i3en"] = (None, {"large": (0.226, 2, 16), "xlarge": (0.452, 4, 32), "2xlarge": (0.904, 8, 64), "3xlarge": (1.356, 12, 96), "6xlarge": (2.712, 24, 192), "12xlarge": (5.424, 48, 384), "24xlarge": (10.848, 96, 768)})
F["h1"] = (4, {"2xlarge": 0.468, "4xlarge": 0.936, "8xlarge": 1.872, "16xlarge": 3.744})
F["a1"] = (2, {"medium": 0.0255, "large": 0.051, "xlarge": 0.102, "2xlarge": 0.204, "4xlarge": 0.408})
F["p4d"] = (None, {"24xlarge": (32.7726, 96, 1152)})
F["inf1"] = (2, {"xlarge": 0.228, "2xlarge": 0.362, "6xlarge": 1.18, "24xlarge": 4.721})

types = {}
for fam, (ratio, sizes) in sorted(F.items()):
    for size, v in sizes.items():
        if isinstance(v, tuple):
            price, cpus, mem = v
        else:
            price, cpus = v, vc(size)
            mem = ratio * cpus
        assert price > 0 and cpus > 0 and mem > 0, (fam, size)
        types[f"{fam}.{size}"] = {"vcpus": cpus, "memory_gib": mem, "hourly": price}

head = json.load(open(sys.argv[1]))
head["types"] = types
lines = json.dumps(head, indent=1).splitlines()
# one instance type per line keeps the file reviewable
text = json.dumps({k: v for k, v in head.items() if k != "types"}, indent=1)[:-2]
text += ',\n "types": {\n' + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in types.items()) + "\n }\n}\n"
json.loads(text)
open(sys.argv[2], "w").write(text)
print(len(types), "types,", len(F), "families")
