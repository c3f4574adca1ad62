//! Deterministic synthetic people for demo and scale data.
//!
//! Everything here is driven by one seeded [`Rng`], so the same seed always yields the same
//! people: demo screenshots, scale tests and bug reports stay reproducible.

use dangjian_domain::idcard::check_char;

/// splitmix64: tiny, fast, deterministic (no rand crate, on purpose: keeps the build lean).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `0` when `n` is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        // Multiply-shift instead of `%`: no division, and the bias (< n / 2^64) is far below
        // anything synthetic data could show.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// True with the given probability in percent (100 or more: always).
    pub fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < u64::from(percent)
    }

    /// One element of a non-empty slice. Panics on an empty slice: that is a bug in the caller's
    /// constant tables, not a data condition.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One element of a table of `(item, weight)`; weights need not sum to anything in particular.
    fn pick_weighted<T: Copy>(&mut self, items: &[(T, u32)]) -> T {
        let total: u32 = items.iter().map(|&(_, w)| w).sum();
        let mut r = self.below(u64::from(total)) as u32;
        for &(item, w) in items {
            if r < w {
                return item;
            }
            r -= w;
        }
        items[items.len() - 1].0
    }
}

/// The most common surnames with their share in 1/10000 of the population (rounded figures from
/// the 2020 census household-registration statistics): weights, not exact shares.
#[rustfmt::skip]
const SURNAMES: [(&str, u32); 105] = [
    ("王", 716), ("李", 710), ("张", 676), ("刘", 543), ("陈", 464), ("杨", 316), ("黄", 245), ("赵", 229),
    ("吴", 205), ("周", 203), ("徐", 175), ("孙", 154), ("马", 147), ("朱", 142), ("胡", 132), ("郭", 122),
    ("何", 119), ("林", 118), ("高", 117), ("罗", 113), ("郑", 100), ("梁", 98), ("谢", 86), ("宋", 76),
    ("唐", 75), ("许", 72), ("韩", 70), ("邓", 70), ("冯", 69), ("曹", 68), ("彭", 65), ("曾", 64),
    ("肖", 63), ("田", 60), ("董", 59), ("潘", 57), ("袁", 56), ("蔡", 55), ("蒋", 55), ("余", 54),
    ("于", 54), ("杜", 53), ("叶", 52), ("程", 51), ("魏", 50), ("苏", 50), ("吕", 50), ("丁", 49),
    ("任", 48), ("卢", 47), ("姚", 47), ("沈", 46), ("钟", 45), ("姜", 45), ("崔", 44), ("谭", 43),
    ("陆", 43), ("范", 42), ("汪", 41), ("廖", 41), ("石", 40), ("金", 40), ("韦", 39), ("贾", 39),
    ("夏", 38), ("付", 38), ("方", 37), ("邹", 36), ("熊", 36), ("白", 35), ("孟", 35), ("秦", 34),
    ("邱", 34), ("侯", 33), ("江", 33), ("尹", 32), ("薛", 32), ("闫", 31), ("段", 31), ("雷", 30),
    ("龙", 30), ("黎", 30), ("史", 29), ("陶", 29), ("贺", 28), ("毛", 28), ("郝", 27), ("顾", 27),
    ("龚", 27), ("邵", 26), ("万", 26), ("覃", 25), ("武", 25), ("钱", 25), ("戴", 24), ("严", 24),
    ("莫", 23), ("孔", 23), ("向", 22), ("常", 22), ("汤", 21), ("康", 21), ("易", 20), ("乔", 20),
    ("赖", 20),
];

/// Cumulative weights of [`SURNAMES`], so a draw is a binary search rather than a linear walk.
const SURNAME_CUMULATIVE: [u32; SURNAMES.len()] = {
    let mut acc = [0u32; SURNAMES.len()];
    let mut total = 0;
    let mut i = 0;
    while i < SURNAMES.len() {
        total += SURNAMES[i].1;
        acc[i] = total;
        i += 1;
    }
    acc
};

const COMPOUND_SURNAMES: [&str; 10] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐",
];

/// Characters common in men's given names.
const MALE_CHARS: [&str; 96] = [
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞",
    "鑫", "波", "宇", "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "龙", "林", "阳", "建", "国",
    "峰", "亮", "成", "东", "新", "海", "志", "文", "博", "晨", "泽", "轩", "豪", "睿", "航", "天",
    "宏", "永", "庆", "德", "兵", "彬", "锋", "毅", "晓", "翔", "振", "瑞", "维", "坤", "昊", "然",
    "铭", "哲", "诚", "钢", "栋", "松", "山", "岩", "卫", "江", "民", "荣", "胜", "武", "元", "雄",
    "云", "政", "立", "义", "鸿", "金", "树", "良", "忠", "晖", "昌", "兴", "安", "福", "顺", "洪",
];

/// Characters common in women's given names.
const FEMALE_CHARS: [&str; 92] = [
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "秀", "玲", "桂", "英", "婷", "雪", "慧", "燕",
    "红", "梅", "琳", "洁", "倩", "莉", "颖", "欣", "怡", "佳", "琪", "悦", "萍", "月", "璐", "瑶",
    "蕾", "晶", "妍", "薇", "琴", "云", "露", "丹", "莹", "婕", "岚", "菲", "雯", "茜", "蓉", "莎",
    "宁", "清", "彤", "馨", "嘉", "诗", "雨", "思", "梦", "可", "佩", "爽", "媛", "虹", "凤", "兰",
    "翠", "春", "冰", "珊", "萌", "楠", "娇", "瑾", "曼", "淑", "贞", "珍", "琼", "晓", "文", "玉",
    "素", "婉", "涵", "姗", "美", "乐", "晴", "莲", "蓓", "旭", "秋", "媚",
];

/// A plausible Chinese name: a frequency-weighted surname (rarely a compound one) and a one- or
/// two-character given name drawn from a pool that leans male or female.
pub fn person_name(rng: &mut Rng, female: bool) -> String {
    let mut name = String::with_capacity(12);
    if rng.below(1000) < 3 {
        name.push_str(rng.pick::<&str>(&COMPOUND_SURNAMES));
    } else {
        let total = SURNAME_CUMULATIVE[SURNAME_CUMULATIVE.len() - 1];
        let r = rng.below(u64::from(total)) as u32;
        let i = SURNAME_CUMULATIVE.partition_point(|&c| c <= r);
        name.push_str(SURNAMES[i].0);
    }
    let pool: &[&str] = if female { &FEMALE_CHARS } else { &MALE_CHARS };
    name.push_str(rng.pick::<&str>(pool));
    if !rng.chance(30) {
        name.push_str(rng.pick::<&str>(pool));
    }
    name
}

/// County-level administrative division codes (GB/T 2260) of real places across the provinces.
const REGIONS: [&str; 42] = [
    "110101", "110105", "120101", "130102", "140105", "150102", "210102", "220102", "230102",
    "310101", "310104", "320102", "320506", "330106", "330203", "340104", "350102", "350203",
    "360102", "370102", "370202", "410105", "420106", "430104", "440104", "440305", "440524",
    "441302", "445102", "450103", "460106", "500103", "510104", "520102", "530102", "540102",
    "610103", "620102", "630102", "640104", "650102", "130602",
];

/// A valid 18-character ID number: real region code, the birth date, a sequence whose last digit
/// is odd for men and even for women (GB 11643-1999), and the check character.
pub fn id_number(rng: &mut Rng, birth: chrono::NaiveDate, female: bool) -> String {
    let region = rng.pick::<&str>(&REGIONS);
    let seq = rng.below(500) as u32 * 2 + u32::from(!female);
    id_number_with_seq(region, birth, seq)
}

/// Like [`id_number`] with the region and sequence chosen by the caller, who can then guarantee
/// uniqueness at scale (one region, birth date and sequence make one number). `region` must be
/// 6 ASCII digits (anything else is a caller bug and panics in the check-character routine);
/// `seq` is taken modulo 1000, and its parity decides the gender it encodes.
pub fn id_number_with_seq(region: &str, birth: chrono::NaiveDate, seq: u32) -> String {
    use chrono::Datelike;
    debug_assert!(region.len() == 6 && region.bytes().all(|b| b.is_ascii_digit()));
    let mut id = String::with_capacity(18);
    id.push_str(region);
    push_digits(&mut id, birth.year().rem_euclid(10_000) as u32, 4);
    push_digits(&mut id, birth.month(), 2);
    push_digits(&mut id, birth.day(), 2);
    push_digits(&mut id, seq % 1000, 3);
    let check = check_char(&id);
    id.push(check);
    id
}

/// Zero-padded decimal without going through the formatting machinery (hot in scale generation).
fn push_digits(out: &mut String, mut value: u32, width: usize) {
    let mut buf = [b'0'; 10];
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
    for &b in &buf[..width] {
        out.push(b as char);
    }
}

const PHONE_PREFIXES: [&str; 30] = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152",
    "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "185", "186", "187",
    "188", "189", "198", "199",
];

/// A valid 11-digit mobile number with a real carrier prefix.
pub fn phone(rng: &mut Rng) -> String {
    let mut p = String::with_capacity(11);
    p.push_str(rng.pick::<&str>(&PHONE_PREFIXES));
    push_digits(&mut p, rng.below(100_000_000) as u32, 8);
    p
}

/// Minorities in rough proportion to their population (壮族 the largest).
const MINORITIES: [(&str, u32); 10] = [
    ("壮族", 19),
    ("维吾尔族", 12),
    ("回族", 11),
    ("苗族", 11),
    ("满族", 10),
    ("彝族", 10),
    ("土家族", 9),
    ("藏族", 7),
    ("蒙古族", 6),
    ("朝鲜族", 2),
];

/// About 92% 汉族, the rest spread over the larger minorities.
pub fn ethnicity(rng: &mut Rng) -> &'static str {
    if rng.chance(92) {
        "汉族"
    } else {
        rng.pick_weighted(&MINORITIES)
    }
}

/// 籍贯 by the prefecture (first four digits) of the region codes used here: where the ID
/// number was issued, which for most people is where they come from.
const NATIVE_PLACES: [(&str, &str); 40] = [
    ("1101", "北京市"), ("1201", "天津市"), ("1301", "河北省石家庄市"), ("1306", "河北省保定市"),
    ("1401", "山西省太原市"), ("1501", "内蒙古自治区呼和浩特市"), ("2101", "辽宁省沈阳市"),
    ("2201", "吉林省长春市"), ("2301", "黑龙江省哈尔滨市"), ("3101", "上海市"), ("3201", "江苏省南京市"),
    ("3205", "江苏省苏州市"), ("3301", "浙江省杭州市"), ("3302", "浙江省宁波市"), ("3401", "安徽省合肥市"),
    ("3501", "福建省福州市"), ("3502", "福建省厦门市"), ("3601", "江西省南昌市"), ("3701", "山东省济南市"),
    ("3702", "山东省青岛市"), ("4101", "河南省郑州市"), ("4201", "湖北省武汉市"), ("4301", "湖南省长沙市"),
    ("4401", "广东省广州市"), ("4403", "广东省深圳市"), ("4405", "广东省汕头市"), ("4413", "广东省惠州市"),
    ("4451", "广东省潮州市"), ("4501", "广西壮族自治区南宁市"), ("4601", "海南省海口市"), ("5001", "重庆市"),
    ("5101", "四川省成都市"), ("5201", "贵州省贵阳市"), ("5301", "云南省昆明市"), ("5401", "西藏自治区拉萨市"),
    ("6101", "陕西省西安市"), ("6201", "甘肃省兰州市"), ("6301", "青海省西宁市"),
    ("6401", "宁夏回族自治区银川市"), ("6501", "新疆维吾尔自治区乌鲁木齐市"),
];

/// The 籍贯 an ID number suggests (empty for a region not in the table).
pub fn native_place(id_number: &str) -> &'static str {
    let prefecture = id_number.get(..4).unwrap_or("");
    NATIVE_PLACES.iter().find(|(code, _)| *code == prefecture).map_or("", |(_, place)| place)
}

/// Agency staff are mostly graduates, so the weights skew to 大学本科 and 研究生.
const EDUCATION: [(&str, u32); 5] = [
    ("研究生", 22),
    ("大学本科", 58),
    ("大学专科", 12),
    ("中专", 3),
    ("高中", 5),
];

pub fn education(rng: &mut Rng) -> &'static str {
    rng.pick_weighted(&EDUCATION)
}

/// Posts in a municipal agency, weighted like a real staff pyramid: many 科员, few 局长.
const POSITIONS: [(&str, u32); 22] = [
    ("科员", 20),
    ("一级科员", 8),
    ("副主任科员", 10),
    ("主任科员", 10),
    ("四级主任科员", 8),
    ("三级主任科员", 6),
    ("二级主任科员", 5),
    ("一级主任科员", 4),
    ("四级调研员", 4),
    ("三级调研员", 3),
    ("二级调研员", 2),
    ("副科长", 6),
    ("科长", 6),
    ("副处长", 3),
    ("处长", 3),
    ("副主任", 3),
    ("主任", 2),
    ("副局长", 2),
    ("局长", 1),
    ("工程师", 4),
    ("会计", 3),
    ("办事员", 3),
];

pub fn position(rng: &mut Rng) -> &'static str {
    rng.pick_weighted(&POSITIONS)
}

/// 市直机关 units: enough distinct names for a believable organisation tree.
pub const AGENCIES: &[&str] = &[
    "市委办公室",
    "市政府办公室",
    "市委组织部",
    "市委宣传部",
    "市委统战部",
    "市委政法委员会",
    "市委党校",
    "市发展和改革委员会",
    "市教育局",
    "市科学技术局",
    "市工业和信息化局",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源和社会保障局",
    "市自然资源和规划局",
    "市生态环境局",
    "市住房和城乡建设局",
    "市交通运输局",
    "市水务局",
    "市农业农村局",
    "市商务局",
    "市文化广电旅游局",
    "市卫生健康委员会",
    "市退役军人事务局",
    "市应急管理局",
    "市审计局",
    "市市场监督管理局",
    "市统计局",
    "市医疗保障局",
    "市林业局",
    "市信访局",
    "市机关事务管理局",
    "市档案馆",
    "市图书馆",
    "市总工会",
    "团市委",
    "市妇联",
    "市科协",
    "市国有资产监督管理委员会",
    "市体育局",
    "市城市管理局",
    "市行政审批服务局",
];

/// Internal 处室/科室 of an agency.
pub const DEPARTMENTS: &[&str] = &[
    "办公室",
    "人事处",
    "综合处",
    "法规处",
    "财务处",
    "规划处",
    "政策研究室",
    "督查室",
    "监督检查科",
    "信息中心",
    "机关党委办公室",
    "离退休干部处",
    "计划财务科",
    "综合科",
    "行政审批科",
    "宣传教育科",
    "安全生产科",
    "科技信息科",
    "审计科",
    "档案室",
    "后勤服务中心",
    "执法监督处",
    "政务服务科",
    "统计科",
    "项目管理科",
    "机关纪委",
    "组织人事科",
    "社会事务科",
    "法制科",
    "考核评价科",
    "研究室",
    "对外联络处",
];

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, NaiveDate};
    use std::collections::HashSet;

    fn is_cjk(c: char) -> bool {
        ('\u{4E00}'..='\u{9FFF}').contains(&c)
    }

    #[test]
    fn rng_is_deterministic_for_a_seed() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        let xs: Vec<u64> = (0..100).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..100).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut c = Rng::new(43);
        assert_ne!(xs[0], c.next_u64());
        // Reference value of splitmix64 for seed 0, so a changed constant is caught.
        assert_eq!(Rng::new(0).next_u64(), 0xE220_A839_7B1D_CDAF);
        let names_a: Vec<String> = {
            let mut r = Rng::new(7);
            (0..50).map(|i| person_name(&mut r, i % 2 == 0)).collect()
        };
        let names_b: Vec<String> = {
            let mut r = Rng::new(7);
            (0..50).map(|i| person_name(&mut r, i % 2 == 0)).collect()
        };
        assert_eq!(names_a, names_b);
    }

    #[test]
    fn every_region_used_has_a_native_place() {
        for region in REGIONS {
            let place = native_place(&format!("{region}199001010011"));
            assert!(!place.is_empty() && place.chars().count() <= 30, "{region}");
        }
        assert_eq!(native_place("330106199001010011"), "浙江省杭州市");
        assert_eq!(native_place("99"), "");
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut rng = Rng::new(1);
        for n in [1u64, 2, 3, 7, 10, 1000, u64::MAX] {
            for _ in 0..2000 {
                assert!(rng.below(n) < n);
            }
        }
        assert_eq!(rng.below(0), 0);
        let mut seen = [false; 7];
        for _ in 0..1000 {
            seen[rng.below(7) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
        assert!((0..100).all(|_| rng.chance(100)));
        assert!((0..100).all(|_| !rng.chance(0)));
    }

    #[test]
    fn id_numbers_pass_the_checksum_and_encode_birth_and_gender() {
        let mut rng = Rng::new(2024);
        let weights = [7u32, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        for i in 0..5000 {
            let female = i % 3 == 0;
            let birth =
                NaiveDate::from_ymd_opt(1950 + i % 60, 1 + (i % 12) as u32, 1 + (i % 28) as u32)
                    .unwrap();
            let id = id_number(&mut rng, birth, female);
            assert_eq!(id.len(), 18, "{id}");
            assert!(id[..17].bytes().all(|b| b.is_ascii_digit()), "{id}");
            let sum: u32 = id
                .bytes()
                .take(17)
                .zip(weights)
                .map(|(b, w)| u32::from(b - b'0') * w)
                .sum();
            let expected = b"10X98765432"[(sum % 11) as usize] as char;
            assert_eq!(id.chars().last(), Some(expected), "{id}");
            assert_eq!(&id[6..14], birth.format("%Y%m%d").to_string(), "{id}");
            let gender_digit = id.as_bytes()[16] - b'0';
            assert_eq!(gender_digit.is_multiple_of(2), female, "{id}");
            assert!(REGIONS.contains(&&id[..6]));
        }
    }

    #[test]
    fn id_number_with_seq_matches_a_known_number() {
        // The worked example of GB 11643-1999, and one computed by hand.
        assert_eq!(
            id_number_with_seq("110105", NaiveDate::from_ymd_opt(1949, 12, 31).unwrap(), 2),
            "11010519491231002X"
        );
        let birth = NaiveDate::from_ymd_opt(1980, 1, 1).unwrap();
        assert_eq!(id_number_with_seq("440524", birth, 1), "440524198001010013");
        assert_eq!(&id_number_with_seq("110101", birth, 1007)[14..17], "007");
        let ids: HashSet<String> = (0..1000)
            .map(|s| id_number_with_seq("110101", birth, s))
            .collect();
        assert_eq!(ids.len(), 1000);
    }

    #[test]
    fn names_are_varied_and_cjk_only() {
        let mut rng = Rng::new(99);
        let mut distinct = HashSet::new();
        let mut one_char_given = 0;
        let mut surnames = HashSet::new();
        for i in 0..10_000 {
            let name = person_name(&mut rng, i % 2 == 1);
            let n = name.chars().count();
            assert!((2..=4).contains(&n), "{name}");
            assert!(name.chars().all(is_cjk), "{name}");
            if n == 2 {
                one_char_given += 1;
            }
            surnames.insert(name.chars().next().unwrap());
            distinct.insert(name);
        }
        assert!(
            distinct.len() > 6000,
            "only {} distinct names",
            distinct.len()
        );
        assert!(
            (2000..4000).contains(&one_char_given),
            "{one_char_given} one-character names"
        );
        assert!(surnames.len() > 80);
    }

    #[test]
    fn constant_tables_are_big_enough_and_without_duplicates() {
        fn distinct(items: &[&str]) -> usize {
            items.iter().collect::<HashSet<_>>().len()
        }
        assert_eq!(distinct(&MALE_CHARS), MALE_CHARS.len());
        assert_eq!(distinct(&FEMALE_CHARS), FEMALE_CHARS.len());
        assert!(MALE_CHARS.len() >= 80 && FEMALE_CHARS.len() >= 80);
        let surnames: Vec<&str> = SURNAMES.iter().map(|s| s.0).collect();
        assert_eq!(distinct(&surnames), surnames.len());
        assert!(surnames.len() >= 100);
        assert_eq!(distinct(&REGIONS), REGIONS.len());
        assert!(REGIONS.len() >= 40);
        assert_eq!(distinct(AGENCIES), AGENCIES.len());
        assert!(AGENCIES.len() >= 40);
        assert_eq!(distinct(DEPARTMENTS), DEPARTMENTS.len());
        assert!(DEPARTMENTS.len() >= 30);
    }

    #[test]
    fn phones_are_valid_mobiles() {
        let mut rng = Rng::new(5);
        for _ in 0..5000 {
            let p = phone(&mut rng);
            assert_eq!(p.len(), 11, "{p}");
            assert!(p.bytes().all(|b| b.is_ascii_digit()), "{p}");
            assert!(
                p.starts_with('1') && (b'3'..=b'9').contains(&p.as_bytes()[1]),
                "{p}"
            );
        }
    }

    #[test]
    fn categorical_pickers_follow_their_weights() {
        let mut rng = Rng::new(11);
        let han = (0..10_000)
            .filter(|_| ethnicity(&mut rng) == "汉族")
            .count();
        assert!((8900..9500).contains(&han), "{han}");
        let grads = (0..10_000)
            .filter(|_| matches!(education(&mut rng), "大学本科" | "研究生"))
            .count();
        assert!(grads > 7000, "{grads}");
        let posts: HashSet<&str> = (0..10_000).map(|_| position(&mut rng)).collect();
        assert_eq!(posts.len(), POSITIONS.len());
    }

    #[test]
    fn half_a_million_people_are_generated_quickly() {
        let mut rng = Rng::new(3);
        let start = std::time::Instant::now();
        let base = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap();
        let mut bytes = 0usize;
        for i in 0..500_000u32 {
            let female = rng.chance(45);
            let birth = base + chrono::Days::new(rng.below(15_000));
            bytes += person_name(&mut rng, female).len() + id_number(&mut rng, birth, female).len();
            if i == 0 {
                assert!(birth.year() >= 1960);
            }
        }
        let elapsed = start.elapsed();
        eprintln!("500,000 names and ID numbers: {elapsed:?}");
        assert!(bytes > 0);
        // Generous so a debug build on a busy machine passes; release runs in tens of ms.
        assert!(elapsed.as_secs() < 10, "500,000 people took {elapsed:?}");
    }
}
