#!/usr/bin/env python3
"""Writes a valid 党员花名册 (member roster) for the import benchmark.

    python3 bench/make_roster.py ROWS OUT.csv|OUT.xlsx ORG_CODE[,ORG_CODE...] [--seed=N] [--start=K]

Every row passes the importer's checks: an 18-character 公民身份号码 with the GB 11643 check
character, unique in the file; gender and birth date that agree with it; a mainland mobile
number; joined at 18 or later; 正式党员 with a 转正时间 a year after joining, or 预备党员
without one. Rows are spread evenly over the organisation codes given (branches that hold
members). Region codes differ from those `dangjian gen` uses, so the file never collides with
a generated installation; rows are numbered from K (default 0), and files with disjoint
ranges [K, K+ROWS) never share an ID number. An .xlsx needs the xlsxwriter package; .csv needs nothing.
"""
import csv
import datetime as dt
import random
import sys

HEADER = ["序号", "姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "手机号码", "工作单位",
          "职务", "人员类别", "党员状态", "入党时间", "转正时间", "党组织编码", "党组织名称"]
# Not among gen's regions (110101 310104 440305 330106 320102 420102 510104 610113 370102 210102).
REGIONS = ["120101", "130102", "140105", "150102", "230102", "340102", "350102", "360102",
           "410102", "430102", "450102", "460105", "500103", "520102", "530102", "620102"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文志红玉兰春梅海波宁慧佳鑫宇浩然晨阳欣怡子轩雨涵思远博文嘉怡俊杰"
EDUCATION = ["研究生", "大学本科", "大学本科", "大学本科", "大学专科", "高中"]
POSITIONS = ["科员", "副科长", "科长", "副处长", "处长", "主任科员", "一级主任科员"]
CATEGORIES = ["在职"] * 8 + ["离退休", "流动"]
WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"
START = dt.date(1955, 1, 1)
DAYS = 16_000  # birth dates 1955-01-01 .. 1998-10-21: everyone is over 18 and joined by 2022


def check_char(first17: str) -> str:
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def rows(n: int, codes: list[str], seed: int, start: int):
    rnd = random.Random(seed)
    today = dt.date.today()
    for i in range(n):
        k = start + i
        # (region, birth day, sequence) is injective in k: IDs are unique without a set.
        region = REGIONS[k % len(REGIONS)]
        q = k // len(REGIONS)
        birth = START + dt.timedelta(days=q % DAYS)
        female = rnd.random() < 0.42
        seq = (q // DAYS) * 2 + (0 if female else 1)  # 17th digit odd = male
        if seq > 999:
            raise SystemExit("too many rows for this generator")
        first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
        idn = first17 + check_char(first17)
        joined_age = 20 + rnd.randrange(15)
        joined = dt.date(birth.year + joined_age, birth.month, min(birth.day, 28))
        if joined > today - dt.timedelta(days=400):
            joined = today - dt.timedelta(days=400 + rnd.randrange(300))
        probationary = rnd.random() < 0.05
        full = "" if probationary else (joined + dt.timedelta(days=365)).isoformat()
        code = codes[i * len(codes) // n]
        name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(1 + (rnd.random() < 0.7)))
        phone = "1" + rnd.choice("3589") + f"{rnd.randrange(10**9):09d}"
        yield [i + 1, name, "女" if female else "男", "汉族", idn, birth.isoformat(), rnd.choice(EDUCATION),
               phone, "规模测试单位", rnd.choice(POSITIONS), rnd.choice(CATEGORIES),
               "预备党员" if probationary else "正式党员", joined.isoformat(), full, code, ""]


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    opt = {a[2:].split("=", 1)[0]: int(a.split("=", 1)[1]) for a in sys.argv[1:] if a.startswith("--") and "=" in a}
    seed, start = opt.get("seed", 7), opt.get("start", 0)
    if len(args) < 3:
        raise SystemExit(__doc__)
    n, out, codes = int(args[0]), args[1], [c for c in args[2].split(",") if c]
    if out.endswith(".xlsx"):
        import xlsxwriter  # pip install xlsxwriter
        wb = xlsxwriter.Workbook(out, {"constant_memory": True})
        ws = wb.add_worksheet("党员花名册")
        ws.write_row(0, 0, HEADER)
        for i, r in enumerate(rows(n, codes, seed, start), start=1):
            ws.write_number(i, 0, r[0])
            for j, v in enumerate(r[1:], start=1):
                ws.write_string(i, j, v)
        wb.close()
    else:
        with open(out, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            w.writerows(rows(n, codes, seed, start))


if __name__ == "__main__":
    main()
