//! Reading one content file: size limit, UTF-8, byte-order mark, CRLF, and
//! cutting a Markdown file into front matter and body.

use std::path::Path;

#[cfg(test)]
use crate::diag::Lang;
use crate::diag::{Code, Pos, Sink, tr};

/// Largest content file read. Real plans are tens of kilobytes; the limit
/// makes a 50 MB file a quick, clear error instead of a long parse.
pub(crate) const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The text of a file as the editor sees it: BOM dropped, CRLF made LF, so
/// that lines and columns match what any editor shows.
pub(crate) fn read_text(path: &Path, sink: &mut Sink<'_>) -> Option<String> {
    let lang = sink.lang;
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            sink.error(Code::E001, Pos::START, {
                let why = crate::diag::io_in_words(&e, path, false, lang);
                tr!(
                    lang,
                    "Không đọc được tệp: {why}.",
                    "Cannot read the file: {why}."
                )
            });
            return None;
        }
    };
    if meta.len() > MAX_FILE_BYTES {
        too_large(meta.len(), sink);
        return None;
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            sink.error(Code::E001, Pos::START, {
                let why = crate::diag::io_in_words(&e, path, false, lang);
                tr!(
                    lang,
                    "Không đọc được tệp: {why}.",
                    "Cannot read the file: {why}."
                )
            });
            return None;
        }
    };
    decode(bytes, sink)
}

/// E001 for a file of `size` bytes, over [`MAX_FILE_BYTES`].
pub(crate) fn too_large(size: u64, sink: &mut Sink<'_>) {
    let lang = sink.lang;
    let mib = MAX_FILE_BYTES / (1024 * 1024);
    let size = crate::model::money::format_grouped(rust_decimal::Decimal::from(size), lang);
    sink.report(
        Code::E001,
        Pos::START,
        tr!(
            lang,
            "Tệp quá lớn ({size} byte); giới hạn là {mib} MiB.",
            "File too large ({size} bytes); the limit is {mib} MiB."
        ),
        Some(tr!(
            lang,
            "Một kế hoạch chỉ cần vài chục KB: hãy kiểm tra xem tệp có bị dán nhầm nội dung không.",
            "A plan needs a few tens of KB: check that nothing was pasted into it by mistake."
        )),
    );
}

/// UTF-8 check and normalisation of line endings.
pub(crate) fn decode(bytes: Vec<u8>, sink: &mut Sink<'_>) -> Option<String> {
    let lang = sink.lang;
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            if text.contains('\r') {
                // Windows' CRLF, and a lone CR (old Mac editors), which YAML
                // and CommonMark both take as a line break too: lines then
                // count the same everywhere.
                text = text.replace("\r\n", "\n").replace('\r', "\n");
            }
            Some(text)
        }
        Err(e) => {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let good = String::from_utf8_lossy(good);
            let line = good.matches('\n').count() + 1;
            let col = good.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            sink.report(
                Code::E001,
                Pos::new(line, col),
                tr!(lang, "Tệp không phải UTF-8 hợp lệ.", "The file is not valid UTF-8."),
                Some(tr!(lang, "Hãy lưu lại tệp với bảng mã UTF-8 (trong Notepad: Lưu thành… > Mã hóa: UTF-8).", "Save the file again as UTF-8 (in Notepad: Save As… > Encoding: UTF-8).")),
            );
            None
        }
    }
}

/// A Markdown file cut at its front matter.
#[derive(Debug, PartialEq)]
pub(crate) struct Split<'a> {
    /// The YAML between the two `---` lines.
    pub(crate) yaml: &'a str,
    /// Lines before the YAML (the opening `---`), to add to its positions.
    pub(crate) yaml_line_offset: usize,
    /// Everything after the closing `---` line.
    pub(crate) body: &'a str,
    /// 1-based line on which the body starts.
    pub(crate) body_line: usize,
}

/// Cuts `text` into front matter and body, or reports E002.
pub(crate) fn split_front_matter<'a>(text: &'a str, sink: &mut Sink<'_>) -> Option<Split<'a>> {
    let lang = sink.lang;
    let first = text.lines().next().unwrap_or("");
    if first.trim_end() != "---" {
        sink.report(
            Code::E002,
            Pos::START,
            tr!(lang, "Thiếu phần đầu (front matter): tệp phải bắt đầu bằng một dòng `---`.", "Front matter missing: the file must start with a line `---`."),
            Some(tr!(lang, "Đặt các trường (agency, year, status, …) giữa hai dòng `---` ở đầu tệp.", "Put the fields (agency, year, status, …) between two `---` lines at the top of the file.")),
        );
        return None;
    }
    let yaml_start = first.len() + 1;
    let mut offset = yaml_start.min(text.len());
    for (line, l) in (2..).zip(text[offset..].split_inclusive('\n')) {
        let trimmed = l.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_start = offset + l.len();
            return Some(Split {
                yaml: &text[yaml_start.min(text.len())..offset],
                yaml_line_offset: 1,
                body: &text[body_start..],
                body_line: line + 1,
            });
        }
        offset += l.len();
    }
    sink.report(
        Code::E002,
        Pos::START,
        tr!(
            lang,
            "Phần đầu (front matter) mở bằng `---` nhưng không có dòng `---` đóng lại.",
            "The front matter opened with `---` is never closed by a `---` line."
        ),
        Some(tr!(
            lang,
            "Thêm một dòng `---` sau trường cuối cùng, trước phần nội dung.",
            "Add a `---` line after the last field, before the body."
        )),
    );
    None
}

/// The `n`th (1-based) line of a text, for showing the source of a problem.
pub(crate) fn line_of(text: &str, n: u32) -> Option<&str> {
    text.lines().nth(usize::try_from(n).ok()?.checked_sub(1)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sink() -> Sink<'static> {
        Sink::new(Lang::En, "x.md", false)
    }

    #[test]
    fn bom_and_crlf_are_normalised() {
        let mut s = sink();
        let t = decode(
            b"\xef\xbb\xbf---\r\na: 1\r\n---\r\nbody\r\n".to_vec(),
            &mut s,
        )
        .unwrap();
        assert_eq!(t, "---\na: 1\n---\nbody\n");
        let sp = split_front_matter(&t, &mut s).unwrap();
        assert_eq!(sp.yaml, "a: 1\n");
        assert_eq!(sp.body, "body\n");
        assert_eq!(sp.body_line, 4);
    }

    #[test]
    fn a_lone_cr_is_a_line_break_too() {
        let mut s = sink();
        let t = decode(b"---\ra: 1\r---\rbody\r\nmore\r".to_vec(), &mut s).unwrap();
        assert_eq!(t, "---\na: 1\n---\nbody\nmore\n");
        let sp = split_front_matter(&t, &mut s).unwrap();
        assert_eq!(sp.yaml, "a: 1\n");
        assert_eq!(sp.body_line, 4);
    }

    #[test]
    fn invalid_utf8_points_at_the_bad_byte() {
        let mut s = sink();
        assert!(decode(b"ok\nab\xff".to_vec(), &mut s).is_none());
        let d = s.into_vec();
        assert_eq!((d[0].code, d[0].pos), (Code::E001, Pos { line: 2, col: 3 }));
    }

    #[test]
    fn missing_or_unclosed_front_matter_is_e002() {
        let mut s = sink();
        assert!(split_front_matter("# title\n", &mut s).is_none());
        assert!(split_front_matter("---\na: 1\n", &mut s).is_none());
        let d = s.into_vec();
        assert!(d.iter().all(|d| d.code == Code::E002));
        assert_eq!(d.len(), 2);
    }

    #[test]
    fn empty_front_matter_and_body() {
        let mut s = sink();
        let sp = split_front_matter("---\n---", &mut s).unwrap();
        assert_eq!((sp.yaml, sp.body), ("", ""));
    }
}
