//! `<year>/data/datapackage.json`: a Data Package (v2) describing the
//! cycle's CSV files with Table Schemas, so that open-data portals and
//! `frictionless validate` know each column's type, the catalog's codes,
//! the keys and the unit of the amounts.
//!
//! The fields are read from the header lines the CSV writers produce, so
//! the description cannot drift from the files it describes.

use serde_json::{Value, json};

use super::exports;
use crate::consolidate::CycleReport;
use crate::diag::Lang;
use crate::model::Site;

fn header_of(csv: &[u8]) -> Vec<String> {
    let text = csv.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(csv);
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text);
    r.records()
        .next()
        .and_then(Result::ok)
        .map(|rec| rec.iter().map(str::to_string).collect())
        .unwrap_or_default()
}

/// One field of a schema, typed by what its header says it holds.
fn field(name: &str, site: &Site, unit: &str) -> Value {
    let catalog = site.catalog.as_ref();
    let ids = |list: Option<Vec<String>>| list.unwrap_or_default();
    let amount = name.ends_with(&format!("({unit})"));
    if amount {
        return json!({"name": name, "type": "number", "unit": unit,
            "description": format!("Số tiền, đơn vị {unit}; dấu chấm thập phân")});
    }
    match name {
        "TT" | "Thứ tự ưu tiên" => {
            json!({"name": name, "type": "integer", "constraints": {"minimum": 1}})
        }
        "Mã cơ quan" => {
            let codes = ids(site
                .agencies
                .as_ref()
                .map(|a| a.iter().map(|a| a.code.value.clone()).collect()));
            json!({"name": name, "type": "string", "constraints": {"required": true, "enum": codes}})
        }
        "Mã hạng mục" => {
            let codes =
                ids(catalog.map(|c| c.categories.iter().map(|c| c.id.value.clone()).collect()));
            json!({"name": name, "type": "string", "constraints": {"required": true, "enum": codes}})
        }
        "Mã dự án" | "Mã chỉ tiêu" => {
            json!({"name": name, "type": "string", "constraints": {"required": true, "pattern": "[a-z0-9-]+"}})
        }
        "Đơn vị" => {
            json!({"name": name, "type": "string", "constraints": {"enum": ["%", "số lượng", ""]}})
        }
        n if n.starts_with("Chỉ tiêu năm")
            || n.starts_with("Ước thực hiện năm")
            || n.starts_with("Mục tiêu năm") =>
        {
            json!({"name": name, "type": "number", "description": "Tỷ lệ (%) hoặc số lượng, theo cột Đơn vị"})
        }
        _ => json!({"name": name, "type": "string"}),
    }
}

fn resource(
    name: &str,
    path: &str,
    title: &str,
    csv: &[u8],
    key: &[&str],
    site: &Site,
    unit: &str,
) -> Value {
    let fields: Vec<Value> = header_of(csv)
        .iter()
        .map(|h| field(h, site, unit))
        .collect();
    let mut schema = json!({"fields": fields, "missingValues": [""]});
    if !key.is_empty() {
        schema["primaryKey"] = json!(key);
    }
    json!({
        "name": name, "path": path, "title": title, "type": "table",
        "scheme": "file", "format": "csv", "mediatype": "text/csv",
        "encoding": "utf-8-sig",
        "dialect": {"delimiter": ",", "quoteChar": "\"", "header": true},
        "schema": schema,
    })
}

/// The package of one cycle.
pub(crate) fn datapackage(site: &Site, r: &CycleReport<'_>) -> Vec<u8> {
    let (title, base, licence) = site.config.as_ref().map_or_else(
        || (String::new(), String::new(), None),
        |c| {
            (
                c.title.clone(),
                c.base_url.clone(),
                c.owner.as_ref().and_then(|o| o.licence.clone()),
            )
        },
    );
    let unit = site
        .config
        .as_ref()
        .map_or("triệu đồng", |c| c.money_unit.label(Lang::Vi));
    let year = r.year;
    let resources = vec![
        resource(
            "projects",
            "projects.csv",
            &format!("Danh mục dự án, nhiệm vụ năm {year}"),
            &exports::projects_csv(site, r),
            &["Mã cơ quan", "Mã dự án"],
            site,
            unit,
        ),
        resource(
            "spending",
            "spending.csv",
            &format!("Kinh phí đã thực hiện năm {}", year - 1),
            &exports::spending_csv(site, r),
            &[],
            site,
            unit,
        ),
        resource(
            "indicators",
            "indicators.csv",
            &format!("Chỉ tiêu ứng dụng CNTT năm {}–{year}", year - 1),
            &exports::indicators_csv(site, r),
            &["Mã cơ quan", "Mã chỉ tiêu"],
            site,
            unit,
        ),
    ];
    let mut pkg = json!({
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": format!("ke-hoach-cntt-{year}"),
        "title": format!("{} — {}", r.meta.title, title),
        "homepage": format!("{}/{year}/", base.trim_end_matches('/')),
        "version": "1.0.0",
        "resources": resources,
    });
    if let Some(l) = licence {
        pkg["licenses"] = json!([{"name": l.clone(), "title": l}]);
    }
    let mut out = serde_json::to_vec_pretty(&pkg).unwrap_or_default();
    out.push(b'\n');
    out
}
