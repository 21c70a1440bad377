//! Deterministic generator of a large, valid planpress site: the corpus of
//! the benchmarks.
//!
//! [`generate`] writes `content/site.yaml`, `agencies.yaml`, `catalog.yaml`,
//! `<year>/_plan.md` and one plan per agency, following PLAN-FORMAT.md
//! sections 1–2. Every plan is valid: amounts are exact decimals (multiples of
//! 0.25) whose `levels` and `kinds` sum exactly to the spending row's `total`
//! or the project's `cost.planned`, priorities are exactly 1..n, periods
//! contain the year, the lead is the plan's own agency, and every project
//! with money this year has an approval. `planpress check` finds no error and
//! no warning in it.
//!
//! The output depends only on the arguments: a small xorshift generator,
//! seeded per plan, replaces a random-number crate. Plan `i` is the same
//! whatever the number of plans, except for its partner agencies.
//!
//! This is a plain module with nothing specific to one benchmark: include it
//! with `mod corpus;` from a file of `benches/`, or with
//! `#[path = "corpus.rs"] mod corpus;` from elsewhere. Cargo also compiles it
//! on its own as an (empty) auto-discovered bench target `corpus`.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

pub(crate) fn generate(dir: &Path, plans: usize, year: i32) {
    let content = dir.join("content");
    let cycle = content.join(year.to_string());
    mkdir(&cycle);
    write(&content.join("site.yaml"), &site_yaml());
    write(&content.join("agencies.yaml"), &agencies_yaml(plans));
    write(&content.join("catalog.yaml"), CATALOG);
    write(&cycle.join("_plan.md"), &cycle_md(year));
    for i in 0..plans {
        write(
            &cycle.join(format!("{}.md", agency_code(i))),
            &plan_md(i, plans, year),
        );
    }
}

fn mkdir(path: &Path) {
    if let Err(e) = fs::create_dir_all(path) {
        panic!("corpus: cannot create {}: {e}", path.display());
    }
}

fn write(path: &Path, text: &str) {
    if let Err(e) = fs::write(path, text) {
        panic!("corpus: cannot write {}: {e}", path.display());
    }
}

// ---- randomness -----------------------------------------------------------

/// xorshift64*: small, fast, and good enough to vary text and figures.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // splitmix64 of the seed, so that neighbouring seeds diverge at once.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let n = u64::try_from(items.len()).unwrap_or(u64::MAX);
        items[usize::try_from(self.next() % n).unwrap_or(0)]
    }

    /// `k` distinct indices of `0..n`, in random order.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = usize::try_from(self.range(0, u64::try_from(i).unwrap_or(0))).unwrap_or(0);
            all.swap(i, j);
        }
        all.truncate(k);
        all
    }
}

// ---- exact amounts --------------------------------------------------------

/// An amount counted in quarters of the money unit, so that sums are exact
/// and the written decimals are `N`, `N.25`, `N.5` or `N.75`.
#[derive(Clone, Copy)]
struct Quarters(u64);

impl std::fmt::Display for Quarters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (whole, frac) = (self.0 / 4, self.0 % 4);
        match frac {
            0 => write!(f, "{whole}"),
            1 => write!(f, "{whole}.25"),
            2 => write!(f, "{whole}.5"),
            _ => write!(f, "{whole}.75"),
        }
    }
}

/// An amount of `lo..=hi` whole units, given a fraction now and then.
fn amount(rng: &mut Rng, lo: u64, hi: u64) -> Quarters {
    let whole = rng.range(lo, hi);
    let frac = match rng.next() % 10 {
        0..=5 => 0,
        6 | 7 => 2,
        8 => 1,
        _ => 3,
    };
    Quarters(whole * 4 + frac)
}

/// Splits `total` between `ids` (1..=`max_parts` of them, chosen at random)
/// and writes it as a flow map, or as a single id when one takes it all.
/// The parts sum exactly to `total`; every part is positive.
fn split(rng: &mut Rng, total: Quarters, ids: &[&str], max_parts: usize) -> String {
    // Every part but the last is a whole number of units.
    let most = usize::try_from(total.0 / 4).unwrap_or(usize::MAX);
    let k = rng
        .range(1, u64::try_from(max_parts.min(ids.len())).unwrap_or(1))
        .min(u64::try_from(most.max(1)).unwrap_or(1));
    let k = usize::try_from(k).unwrap_or(1);
    let mut chosen = rng.distinct(ids.len(), k);
    chosen.sort_unstable();
    if k == 1 && rng.chance(50) {
        return ids[chosen[0]].to_string();
    }
    let mut left = total.0;
    let mut out = String::from("{ ");
    for (n, &i) in chosen.iter().enumerate() {
        let rest = u64::try_from(k - n - 1).unwrap_or(0);
        let part = if rest == 0 {
            left
        } else {
            // Leave at least one unit for each remaining part.
            let max_units = (left / 4).saturating_sub(rest).max(1);
            4 * rng.range(1, max_units.min(1 + max_units * 3 / 4))
        };
        left -= part;
        if n > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}: {}", ids[i], Quarters(part));
    }
    out.push_str(" }");
    out
}

// ---- configuration files --------------------------------------------------

const GROUPS: [&str; 4] = ["van-phong", "so-ban-nganh", "hoi-doan-the", "huyen"];
const CATEGORIES: [&str; 4] = ["ha-tang", "noi-bo", "nguoi-dan", "nhan-luc"];
const LEVELS: [&str; 4] = ["trung-uong", "tinh", "huyen", "khac"];
const KINDS: [&str; 3] = ["dau-tu", "su-nghiep", "khac"];
const INDICATORS: [&str; 5] = [
    "tthc-truc-tuyen",
    "van-ban-trinh-dien-tu",
    "van-ban-dien-tu",
    "ho-so-so-hoa",
    "can-bo-thu-dien-tu",
];

const CATALOG: &str = r#"# Code lists shared by every plan (generated corpus).

categories:
  - { id: ha-tang,   name: "Hạ tầng kỹ thuật và đảm bảo an toàn, an ninh thông tin" }
  - { id: noi-bo,    name: "Ứng dụng CNTT trong nội bộ cơ quan nhà nước" }
  - { id: nguoi-dan, name: "Ứng dụng CNTT phục vụ người dân và doanh nghiệp" }
  - { id: nhan-luc,  name: "Đào tạo nguồn nhân lực CNTT" }

levels:
  - { id: trung-uong, name: "Ngân sách trung ương" }
  - { id: tinh,       name: "Ngân sách tỉnh" }
  - { id: huyen,      name: "Ngân sách huyện" }
  - { id: khac,       name: "Nguồn khác" }

kinds:
  - { id: dau-tu,    name: "Vốn đầu tư" }
  - { id: su-nghiep, name: "Kinh phí sự nghiệp" }
  - { id: khac,      name: "Nguồn khác" }

indicators:
  - id: tthc-truc-tuyen
    name: "Tỷ lệ hồ sơ thủ tục hành chính thực hiện qua mạng Internet"
    unit: percent
  - id: van-ban-trinh-dien-tu
    name: "Tỷ lệ văn bản không mật trình Ủy ban nhân dân tỉnh dưới dạng điện tử"
    unit: percent
  - id: van-ban-dien-tu
    name: "Tỷ lệ văn bản trao đổi giữa các cơ quan nhà nước dưới dạng điện tử"
    unit: percent
  - id: ho-so-so-hoa
    name: "Tỷ lệ hồ sơ công việc được số hóa và lưu trữ điện tử"
    unit: percent
  - id: can-bo-thu-dien-tu
    name: "Tỷ lệ cán bộ, công chức sử dụng thư điện tử công vụ trong công việc"
    unit: percent
"#;

fn site_yaml() -> String {
    "title: Kế hoạch ứng dụng CNTT tỉnh Quảng Ngãi (bộ dữ liệu thử hiệu năng)\n\
     province: Quảng Ngãi\n\
     base_url: https://example.gov.vn/ke-hoach-cntt\n\
     language: vi\n\
     theme: default\n\
     money_unit: trieu-dong\n"
        .to_string()
}

/// The code of agency `i` (0-based): `co-quan-0001`, …
fn agency_code(i: usize) -> String {
    format!("co-quan-{:04}", i + 1)
}

fn agency_name(i: usize) -> String {
    const VAN_PHONG: [&str; 3] = [
        "Văn phòng UBND tỉnh",
        "Văn phòng HĐND tỉnh",
        "Văn phòng Đoàn đại biểu Quốc hội tỉnh",
    ];
    const SO: [&str; 10] = [
        "Sở Thông tin và Truyền thông",
        "Sở Kế hoạch và Đầu tư",
        "Sở Tài chính",
        "Sở Y tế",
        "Sở Giáo dục và Đào tạo",
        "Sở Nội vụ",
        "Sở Tư pháp",
        "Sở Tài nguyên và Môi trường",
        "Sở Giao thông vận tải",
        "Sở Nông nghiệp và Phát triển nông thôn",
    ];
    const HOI: [&str; 5] = [
        "Hội Nông dân tỉnh",
        "Hội Liên hiệp Phụ nữ tỉnh",
        "Tỉnh đoàn",
        "Hội Cựu chiến binh tỉnh",
        "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    ];
    const HUYEN: [&str; 8] = [
        "UBND thành phố Quảng Ngãi",
        "UBND huyện Bình Sơn",
        "UBND huyện Sơn Tịnh",
        "UBND huyện Tư Nghĩa",
        "UBND huyện Mộ Đức",
        "UBND huyện Đức Phổ",
        "UBND huyện Nghĩa Hành",
        "UBND huyện Lý Sơn",
    ];
    let round = i / 4;
    let base = match i % 4 {
        0 => VAN_PHONG[round % VAN_PHONG.len()],
        1 => SO[round % SO.len()],
        2 => HOI[round % HOI.len()],
        _ => HUYEN[round % HUYEN.len()],
    };
    format!("{base} (đơn vị {:04})", i + 1)
}

fn agencies_yaml(plans: usize) -> String {
    let mut out = String::from(
        "# Registry of the agencies (generated corpus).\n\
         # group: van-phong | so-ban-nganh | hoi-doan-the | huyen\n",
    );
    for i in 0..plans {
        let code = agency_code(i);
        let _ = write!(
            out,
            "- code: {code}\n  name: \"{}\"\n  group: {}\n  email: {}@example.gov.vn\n",
            agency_name(i),
            GROUPS[i % 4],
            code.replace('-', ""),
        );
    }
    out
}

fn cycle_md(year: i32) -> String {
    let prior = year - 1;
    format!(
        "---\n\
         year: {year}\n\
         title: Kế hoạch ứng dụng CNTT trong hoạt động của cơ quan nhà nước tỉnh Quảng Ngãi năm {year}\n\
         guidance: {{ number: \"790/STTTT\", date: {prior}-07-16, issuer: \"Sở Thông tin và Truyền thông\" }}\n\
         deadline: {prior}-07-31\n\
         legal_bases:\n\
         \x20 - \"Luật Công nghệ thông tin; Luật Giao dịch điện tử; Luật An toàn thông tin mạng\"\n\
         \x20 - \"Nghị định số 64/2007/NĐ-CP ngày 10/4/2007 của Chính phủ về ứng dụng CNTT trong hoạt động của cơ quan nhà nước\"\n\
         \x20 - \"Nghị quyết số 36a/NQ-CP ngày 14/10/2015 của Chính phủ về Chính phủ điện tử\"\n\
         \x20 - \"Quyết định số 916/QĐ-UBND ngày 26/5/2016 của UBND tỉnh Quảng Ngãi về Kế hoạch ứng dụng CNTT giai đoạn 2016-2020\"\n\
         ---\n\
         Kế hoạch ứng dụng công nghệ thông tin năm {year} của tỉnh được tổng hợp từ kế hoạch của \
         các sở, ban, ngành, hội, đoàn thể và UBND các huyện, thành phố, bảo đảm tính khả thi và \
         thứ tự ưu tiên đầu tư rõ ràng.\n\n\
         Trọng tâm năm {year} là xây dựng các nền tảng của Chính quyền điện tử, nâng cao tỷ lệ hồ sơ \
         thủ tục hành chính thực hiện qua mạng và bảo đảm an toàn thông tin cho các hệ thống dùng chung.\n"
    )
}

// ---- plans ----------------------------------------------------------------

const HO: [&str; 10] = [
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Phan", "Võ", "Đặng", "Bùi",
];
const DEM: [&str; 8] = [
    "Văn",
    "Thị",
    "Minh",
    "Thanh",
    "Ngọc",
    "Quốc",
    "Hữu",
    "Thị Thu",
];
const TEN: [&str; 12] = [
    "Anh", "Bình", "Cường", "Dung", "Hà", "Hùng", "Lan", "Long", "Phương", "Quang", "Tâm", "Vy",
];

const TASKS: [[&str; 4]; 4] = [
    [
        "Nâng cấp mạng nội bộ (LAN), trang bị thiết bị tường lửa",
        "Mua sắm máy tính, máy quét phục vụ số hóa hồ sơ",
        "Thuê đường truyền, duy trì kết nối mạng truyền số liệu chuyên dùng",
        "Triển khai phần mềm phòng, chống mã độc tập trung",
    ],
    [
        "Duy trì hệ thống quản lý văn bản và điều hành",
        "Triển khai chữ ký số chuyên dùng cho lãnh đạo và văn thư",
        "Xây dựng cơ sở dữ liệu chuyên ngành",
        "Nâng cấp phần mềm quản lý cán bộ, công chức",
    ],
    [
        "Cung cấp dịch vụ công trực tuyến mức độ 3, 4",
        "Duy trì, cập nhật trang thông tin điện tử của đơn vị",
        "Tích hợp hồ sơ một cửa điện tử với Cổng dịch vụ công của tỉnh",
        "Triển khai tra cứu tình trạng hồ sơ qua tin nhắn SMS",
    ],
    [
        "Tập huấn kỹ năng sử dụng CNTT cho cán bộ, công chức",
        "Bồi dưỡng an toàn thông tin cho cán bộ chuyên trách",
        "Đào tạo sử dụng hệ thống quản lý văn bản trên thiết bị di động",
        "Cử cán bộ tham gia khóa đào tạo chuyên sâu về quản trị hệ thống",
    ],
];

const PROJECTS: [[&str; 3]; 4] = [
    [
        "Nâng cấp hạ tầng mạng và phòng máy chủ",
        "Trang bị hệ thống sao lưu dự phòng dữ liệu",
        "Triển khai giải pháp giám sát an toàn thông tin",
    ],
    [
        "Xây dựng cơ sở dữ liệu quản lý hồ sơ chuyên ngành",
        "Nâng cấp hệ thống quản lý văn bản liên thông 4 cấp",
        "Số hóa hồ sơ, tài liệu lưu trữ",
    ],
    [
        "Xây dựng dịch vụ công trực tuyến mức độ 3, 4",
        "Nâng cấp Hệ thống thông tin một cửa điện tử",
        "Xây dựng ứng dụng tra cứu thông tin trên thiết bị di động",
    ],
    [
        "Đào tạo, bồi dưỡng nhân lực CNTT",
        "Tập huấn an toàn thông tin cho cán bộ, công chức",
        "Diễn tập ứng cứu sự cố an toàn thông tin",
    ],
];

const OBJECTIVES: [&str; 5] = [
    "Bảo đảm hạ tầng kỹ thuật vận hành ổn định, an toàn, đáp ứng yêu cầu xây dựng Chính quyền điện tử",
    "Nâng cao hiệu quả quản lý, điều hành; giảm thời gian xử lý hồ sơ, tiết kiệm chi phí văn phòng phẩm",
    "Tăng tỷ lệ hồ sơ thủ tục hành chính tiếp nhận và giải quyết qua mạng, giảm thời gian đi lại của người dân",
    "Hình thành cơ sở dữ liệu dùng chung, kết nối với Nền tảng tích hợp, chia sẻ dữ liệu của tỉnh (LGSP)",
    "100% cán bộ, công chức sử dụng thành thạo các hệ thống thông tin dùng chung của tỉnh",
];

const DONE: [&str; 4] = [
    "Đã khảo sát hiện trạng, lập đề cương và dự toán chi tiết",
    "Đã triển khai thí điểm tại văn phòng và 02 phòng chuyên môn",
    "Đã hoàn thành giai đoạn 1, đưa vào sử dụng từ quý IV",
    "Đã lựa chọn nhà thầu tư vấn lập báo cáo kinh tế - kỹ thuật",
];

const TODO: [&str; 4] = [
    "Triển khai toàn bộ các hạng mục còn lại, nghiệm thu và đưa vào sử dụng",
    "Mở rộng đến các đơn vị trực thuộc; tích hợp với các hệ thống dùng chung của tỉnh",
    "Mua sắm thiết bị, cài đặt, cấu hình và chuyển giao công nghệ",
    "Tổ chức các lớp tập huấn, đánh giá kết quả sau đào tạo",
];

const NECESSITY: [&str; 3] = [
    "Thiết bị hiện có được đầu tư từ năm 2012, đã xuống cấp, thường xuyên hư hỏng, không đáp ứng yêu cầu công việc",
    "Các phần mềm hiện có hoạt động riêng rẽ, dữ liệu không được chia sẻ, người dân phải cung cấp thông tin nhiều lần",
    "Nguy cơ tấn công mạng, phát tán mã độc vào hệ thống thông tin của cơ quan nhà nước ngày càng gia tăng",
];

const STANDARDS: [&str; 3] = [
    "Thông tư số 39/2017/TT-BTTTT về danh mục tiêu chuẩn kỹ thuật về ứng dụng CNTT trong cơ quan nhà nước",
    "Kiến trúc Chính quyền điện tử tỉnh Quảng Ngãi phiên bản 1.0; dịch vụ web REST, XML, JSON",
    "TCVN 11930:2017 về yêu cầu cơ bản bảo đảm an toàn hệ thống thông tin theo cấp độ",
];

const NOTES: [&str; 3] = [
    "Nhiệm vụ chuyển tiếp từ kế hoạch năm trước",
    "Đề nghị hỗ trợ vốn Trung ương theo chương trình mục tiêu",
    "Thực hiện theo hình thức thuê dịch vụ CNTT",
];

/// Plan `i` of `plans`, for cycle `year`.
fn plan_md(i: usize, plans: usize, year: i32) -> String {
    let mut rng = Rng::new(u64::try_from(i).unwrap_or(0));
    let code = agency_code(i);
    let name = agency_name(i);
    let prior = year - 1;
    let mut out = String::with_capacity(12 * 1024);

    // Header.
    let status = if rng.chance(30) {
        "approved"
    } else {
        "submitted"
    };
    let _ = write!(
        out,
        "---\nagency: {code}\nyear: {year}\nstatus: {status}\nsubmitted: {prior}-07-{:02}\n",
        rng.range(10, 31)
    );
    let person = format!("{} {} {}", rng.pick(&HO), rng.pick(&DEM), rng.pick(&TEN));
    let _ = writeln!(
        out,
        "contact: {{ name: \"{person}\", phone: \"0255.37{:05}\", email: \"lienhe.{}@example.gov.vn\" }}",
        rng.range(0, 99_999),
        code.replace('-', ""),
    );
    if rng.chance(40) {
        let _ = writeln!(
            out,
            "legal_bases:\n  - \"Quyết định số {}/QĐ-UBND ngày {}/{}/{} của UBND tỉnh về kiện toàn tổ chức, bộ máy của {name}\"",
            rng.range(100, 2500),
            rng.range(1, 28),
            rng.range(1, 12),
            prior - 1,
        );
    }

    // II.1 indicators: three catalog ids, goals never below the estimate.
    out.push_str("\nindicators:\n");
    for k in rng.distinct(INDICATORS.len(), 3) {
        // Halves of a percent.
        let target = rng.range(40, 180);
        let actual = rng.range(target.saturating_sub(30), (target + 20).min(200));
        let goal = rng.range(actual, 200);
        let half = |h: u64| {
            if h.is_multiple_of(2) {
                format!("{}", h / 2)
            } else {
                format!("{}.5", h / 2)
            }
        };
        let _ = write!(
            out,
            "  - id: {}\n    target: {}\n    actual: {}\n    goal: {}\n",
            INDICATORS[k],
            half(target),
            half(actual),
            half(goal)
        );
        if rng.chance(30) {
            let _ = writeln!(
                out,
                "    note: \"Số liệu ước tính đến hết ngày 30/6/{prior}, theo báo cáo của bộ phận một cửa\""
            );
        }
    }

    // II.2 spending of the prior year.
    out.push_str("\nspending:\n");
    for row in 0..4 {
        let cat = if row < 2 {
            row * 2
        } else {
            usize::try_from(rng.range(0, 3)).unwrap_or(0)
        };
        let total = amount(&mut rng, 20, 1500);
        let _ = write!(
            out,
            "  - category: {}\n    task: \"{}\"\n    total: {total}\n    levels: {}\n    kinds: {}\n    basis: \"Quyết định số {}/QĐ-UBND ngày {}/12/{} của UBND tỉnh\"\n",
            CATEGORIES[cat],
            TASKS[cat][usize::try_from(rng.range(0, 3)).unwrap_or(0)],
            split(&mut rng, total, &LEVELS, 3),
            split(&mut rng, total, &KINDS, 2),
            rng.range(1000, 2999),
            rng.range(1, 28),
            prior - 1,
        );
    }

    // VI annex: six projects, priorities a permutation of 1..=6.
    out.push_str("\nprojects:\n");
    let count = 6;
    let priorities = rng.distinct(count, count);
    let variant = usize::try_from(rng.range(0, 2)).unwrap_or(0);
    for (p, priority) in priorities.iter().enumerate() {
        // Two projects of one category never share a name.
        let cat = p % 4;
        let pname = PROJECTS[cat][(variant + p / 4) % 3];
        let planned = amount(&mut rng, 50, 4000);
        let spent = if rng.chance(50) {
            Quarters(0)
        } else {
            amount(&mut rng, 10, 3000)
        };
        let total = Quarters(planned.0 + spent.0 + 4 * rng.range(0, 2000));
        let from = year - i32::try_from(rng.range(0, 2)).unwrap_or(0);
        let to = year + i32::try_from(rng.range(0, 2)).unwrap_or(0);
        let _ = write!(
            out,
            "  - id: du-an-{:02}\n    name: \"{pname} tại {name}\"\n    category: {}\n    priority: {}\n    objective: \"{}\"\n    period: {{ from: {from}, to: {to} }}\n    lead: {code}\n",
            p + 1,
            CATEGORIES[cat],
            priority + 1,
            rng.pick(&OBJECTIVES),
        );
        let partners: Vec<String> = if plans > 1 {
            let n = rng.range(0, 2);
            let mut v: Vec<String> = (1..=n)
                .map(|k| agency_code((i + usize::try_from(k * 7).unwrap_or(7)) % plans))
                .filter(|c| *c != code)
                .collect();
            v.dedup();
            v
        } else {
            Vec::new()
        };
        let _ = writeln!(out, "    partners: [{}]", partners.join(", "));
        if spent.0 > 0 {
            let _ = writeln!(out, "    done: \"{}\"", rng.pick(&DONE));
        }
        let _ = write!(
            out,
            "    todo: \"{}\"\n    cost: {{ total: {total}, spent: {spent}, planned: {planned} }}\n    levels: {}\n    kinds: {}\n    investor: \"{name}\"\n    approval: \"Quyết định số {}/QĐ-UBND ngày {}/{}/{} của UBND tỉnh phê duyệt dự án\"\n",
            rng.pick(&TODO),
            split(&mut rng, planned, &LEVELS, 3),
            split(&mut rng, planned, &KINDS, 2),
            rng.range(100, 2999),
            rng.range(1, 28),
            rng.range(1, 6),
            prior,
        );
        if rng.chance(60) {
            let _ = writeln!(out, "    necessity: \"{}\"", rng.pick(&NECESSITY));
        }
        if rng.chance(50) {
            let _ = writeln!(out, "    standards: \"{}\"", rng.pick(&STANDARDS));
        }
        if rng.chance(50) {
            let _ = writeln!(out, "    location: \"Trụ sở {name}\"");
        }
        if rng.chance(25) {
            let _ = writeln!(out, "    note: \"{}\"", rng.pick(&NOTES));
        }
    }
    out.push_str("---\n\n");
    body(&mut rng, &mut out, &name, year);
    out
}

const DANH_GIA: [&str; 5] = [
    "Năm {prior}, {name} đã hoàn thành cơ bản các nhiệm vụ ứng dụng công nghệ thông tin được giao. Hệ thống quản lý văn bản và điều hành được sử dụng thường xuyên; tỷ lệ văn bản đi được ký số và gửi dưới dạng điện tử tiếp tục tăng so với năm trước.",
    "Hạ tầng kỹ thuật của đơn vị cơ bản đáp ứng yêu cầu công việc: 100% cán bộ, công chức được trang bị máy tính kết nối Internet; mạng nội bộ được nâng cấp, trang bị thiết bị tường lửa và phần mềm phòng, chống mã độc.",
    "Các thủ tục hành chính thuộc thẩm quyền giải quyết đã được tiếp nhận, trả kết quả qua phần mềm một cửa điện tử; một số thủ tục được cung cấp trực tuyến mức độ 3, 4, tuy nhiên số hồ sơ nộp qua mạng còn thấp.",
    "Kinh phí bố trí cho ứng dụng công nghệ thông tin còn hạn chế, chủ yếu từ nguồn sự nghiệp; nhiều thiết bị đã cũ, xuống cấp; đơn vị chưa có cán bộ chuyên trách công nghệ thông tin được đào tạo bài bản.",
    "Đề xuất UBND tỉnh quan tâm bố trí kinh phí thực hiện các nhiệm vụ ưu tiên; Sở Thông tin và Truyền thông hỗ trợ kỹ thuật, hướng dẫn bảo đảm an toàn thông tin và kết nối với các hệ thống dùng chung của tỉnh.",
];

const MUC_TIEU: [&str; 5] = [
    "Nâng cao hiệu quả ứng dụng công nghệ thông tin trong quản lý, điều hành; phấn đấu 100% văn bản đi (trừ văn bản mật) được gửi dưới dạng điện tử và ký số.",
    "Cung cấp đầy đủ dịch vụ công trực tuyến mức độ 3, 4 đối với các thủ tục có số lượng hồ sơ lớn; tăng tỷ lệ hồ sơ thủ tục hành chính thực hiện qua mạng Internet.",
    "Bảo đảm an toàn thông tin cho các hệ thống thông tin của đơn vị; xác định cấp độ và phê duyệt phương án bảo đảm an toàn theo Nghị định số 85/2016/NĐ-CP.",
    "Xây dựng và đưa vào khai thác cơ sở dữ liệu chuyên ngành, sẵn sàng kết nối, chia sẻ với Nền tảng tích hợp, chia sẻ dữ liệu dùng chung của tỉnh.",
    "100% cán bộ, công chức được tập huấn sử dụng các hệ thống thông tin dùng chung; cán bộ phụ trách CNTT được bồi dưỡng về an toàn thông tin.",
];

const DINH_HUONG: [&str; 5] = [
    "**Hạ tầng kỹ thuật:** nâng cấp mạng nội bộ, bổ sung máy tính, thiết bị số hóa; duy trì kết nối mạng truyền số liệu chuyên dùng của các cơ quan Đảng, Nhà nước.",
    "**Ứng dụng trong nội bộ:** sử dụng hiệu quả hệ thống quản lý văn bản và điều hành, thư điện tử công vụ; triển khai chữ ký số trên thiết bị di động cho lãnh đạo.",
    "**Phục vụ người dân và doanh nghiệp:** rà soát, đưa các thủ tục hành chính lên dịch vụ công trực tuyến mức độ 3, 4; cập nhật thường xuyên thông tin trên trang thông tin điện tử.",
    "**Nguồn nhân lực:** cử cán bộ tham gia các lớp đào tạo do Sở Thông tin và Truyền thông tổ chức; đưa kỹ năng sử dụng CNTT vào tiêu chí đánh giá cán bộ, công chức.",
    "**An toàn, an ninh thông tin:** ban hành quy chế bảo đảm an toàn thông tin của đơn vị; sao lưu dữ liệu định kỳ; phối hợp với Đội ứng cứu sự cố của tỉnh khi có sự cố.",
];

const GIAI_PHAP: [&str; 5] = [
    "**Giải pháp tài chính:** lồng ghép kinh phí ứng dụng CNTT vào dự toán ngân sách hằng năm của đơn vị; huy động nguồn hỗ trợ từ chương trình mục tiêu của Trung ương.",
    "**Giải pháp tổ chức:** phân công lãnh đạo phụ trách, kiện toàn bộ phận chuyên trách CNTT; đưa kết quả ứng dụng CNTT vào bình xét thi đua cuối năm.",
    "**Giải pháp kỹ thuật:** các hệ thống được đầu tư phải phù hợp Kiến trúc Chính quyền điện tử tỉnh, được Sở Thông tin và Truyền thông thẩm định trước khi phê duyệt.",
    "**Giải pháp tuyên truyền:** tuyên truyền, hướng dẫn người dân, doanh nghiệp sử dụng dịch vụ công trực tuyến tại bộ phận một cửa và trên trang thông tin điện tử.",
    "**Thuê dịch vụ:** áp dụng hình thức thuê dịch vụ CNTT theo Quyết định số 80/2014/QĐ-TTg đối với các hệ thống phù hợp, giảm chi phí đầu tư ban đầu.",
];

const TO_CHUC: [&str; 5] = [
    "**Văn phòng:** chủ trì, theo dõi, đôn đốc việc thực hiện kế hoạch; tổng hợp, báo cáo kết quả định kỳ 6 tháng, hằng năm về Sở Thông tin và Truyền thông.",
    "**Bộ phận Kế hoạch - Tài chính:** lập dự toán, bố trí kinh phí và quyết toán theo quy định hiện hành.",
    "**Các phòng chuyên môn, đơn vị trực thuộc:** cập nhật dữ liệu, xử lý hồ sơ trên môi trường mạng; đề xuất nhiệm vụ ứng dụng CNTT thuộc lĩnh vực phụ trách.",
    "**Cán bộ phụ trách CNTT:** quản trị hệ thống, bảo đảm an toàn thông tin, hỗ trợ kỹ thuật cho cán bộ, công chức trong quá trình sử dụng.",
    "Trong quá trình thực hiện, nếu có khó khăn, vướng mắc, các bộ phận báo cáo lãnh đạo đơn vị để xem xét, điều chỉnh cho phù hợp.",
];

/// The Markdown body: the five required level-2 sections, in order.
fn body(rng: &mut Rng, out: &mut String, name: &str, year: i32) {
    let prior = (year - 1).to_string();
    let fill = |s: &str| s.replace("{prior}", &prior).replace("{name}", name);
    let sections: [(String, &[&str; 5], bool); 5] = [
        (
            "II.3. Đánh giá chung; khó khăn, hạn chế và đề xuất".to_string(),
            &DANH_GIA,
            false,
        ),
        (
            format!("III. Mục tiêu ứng dụng CNTT năm {year}"),
            &MUC_TIEU,
            true,
        ),
        (
            format!("IV. Định hướng nội dung ứng dụng CNTT năm {year}"),
            &DINH_HUONG,
            true,
        ),
        ("V. Giải pháp thực hiện".to_string(), &GIAI_PHAP, true),
        ("VII. Tổ chức thực hiện".to_string(), &TO_CHUC, true),
    ];
    for (heading, pool, list) in sections {
        let _ = writeln!(out, "## {heading}\n");
        let n = usize::try_from(rng.range(3, 5)).unwrap_or(3);
        let mut chosen = rng.distinct(pool.len(), n);
        chosen.sort_unstable();
        for (k, idx) in chosen.into_iter().enumerate() {
            let text = fill(pool[idx]);
            if list {
                let _ = writeln!(out, "{}. {text}", k + 1);
            } else {
                let _ = writeln!(out, "{text}\n");
            }
        }
        if list {
            out.push('\n');
        }
    }
}
