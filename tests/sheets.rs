//! Spreadsheets: a file saved by Excel in a UK locale imports as it is, and
//! a quarterly return comes back as an update.

mod common;

use common::Env;
use serde_json::Value;

const UK_PLAN: &str = "tests/fixtures/plan-uk-excel.csv";
const UK_BAD: &str = "tests/fixtures/plan-uk-excel-bad.csv";

fn digital() -> Env {
    let env = Env::on("2026-12-01");
    env.add_strategy("digital-2024", "Digital Strategy 2024-2027", "2024-2027");
    env
}

fn by_ref(env: &Env, reference: &str) -> Value {
    let list = env.json(&["item", "list"]);
    list.as_array()
        .unwrap()
        .iter()
        .find(|i| i["ref"] == reference)
        .cloned()
        .unwrap_or_else(|| panic!("no {reference} in {list}"))
}

/// `import PATH --strategy digital-2024` and the flags `extra`.
fn import_args<'a>(path: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    [&["import", path, "--strategy", "digital-2024"][..], extra].concat()
}

fn events(env: &Env) -> i64 {
    env.query_i64("SELECT count(*) FROM event")
}

/// Writes `text` as a file of the test's folder.
fn file(env: &Env, name: &str, text: &str) -> String {
    let path = env.dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_uk_excel_file_imports_as_saved() {
    let env = digital();
    let r = env.run(&import_args(UK_PLAN, &[]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("5 items added"), "{}", r.stderr);
    assert!(
        !r.stderr.contains("ignored"),
        "empty columns are not named: {}",
        r.stderr
    );
    let d01 = by_ref(&env, "D01");
    assert_eq!(d01["title"], "One online account for residents, phase 1");
    assert_eq!(d01["status"], "in-progress");
    assert_eq!(d01["progress"], 45);
    assert_eq!(d01["start"], "2024-04-01");
    assert_eq!(d01["due"], "2027-03-31");
    assert_eq!(d01["latest_note"], "Sign-in live for waste, highways");
    let d03 = by_ref(&env, "D03");
    assert_eq!(
        (d03["status"].as_str(), d03["start"].as_str()),
        (Some("completed"), Some("2024-06-01"))
    );
    assert_eq!(
        d03["completed_on"], "2026-12-01",
        "completed on the day it holds from"
    );
    assert_eq!(by_ref(&env, "D04")["status"], "planned");
    assert_eq!(by_ref(&env, "D05")["status"], "on-hold");
    env.ok(&["check"]);
}

#[test]
fn every_planted_error_is_named_by_its_line_and_header() {
    let env = digital();
    let before = env.dump();
    let err = env.fails(&import_args(UK_BAD, &[]), 2);
    for expected in [
        "line 3, column Progress: progress 150",
        "line 5, column Due Date: '31/02/2026' is not a day of the calendar",
        "line 6, column Status: unknown status 'Finished'",
        "line 7, column Title: is required",
    ] {
        assert!(err.contains(expected), "missing {expected}:\n{err}");
    }
    assert!(!err.contains("line 2"), "{err}");
    assert_eq!(err.matches("Columns strat reads").count(), 0, "{err}");
    assert_eq!(env.dump(), before);
}

#[test]
fn a_header_that_names_no_title_lists_the_columns_once() {
    let env = digital();
    let path = file(&env, "h.csv", "Name,Owner\r\nX,Y\r\n");
    let err = env.fails(&import_args(&path, &[]), 2);
    assert_eq!(err.matches("Columns strat reads").count(), 1, "{err}");
}

#[test]
fn a_bad_cell_in_row_3_of_300_is_named_and_nothing_is_written() {
    let env = digital();
    let mut text = String::from("title,progress,due\r\n");
    for n in 0..300 {
        let progress = if n == 1 {
            "abc".to_string()
        } else {
            format!("{}%", n % 100)
        };
        text.push_str(&format!("Item {n},{progress},31/12/2026\r\n"));
    }
    let path = file(&env, "big.csv", &text);
    let before = env.dump();
    let err = env.fails(&import_args(&path, &[]), 2);
    assert!(err.contains("line 3, column progress"), "{err}");
    assert!(err.contains("1 bad record field"), "{err}");
    assert_eq!(env.dump(), before);
}

#[test]
fn month_first_dates_are_read_when_asked() {
    let env = digital();
    let path = file(&env, "us.csv", "title,due\n Intune,03/31/2026\n");
    env.fails(&import_args(&path, &[]), 2);
    env.ok(&import_args(&path, &["--month-first"]));
    assert_eq!(env.json(&["item", "list"])[0]["due"], "2026-03-31");
}

#[test]
fn a_quarterly_return_updates_what_changed_and_nothing_else() {
    let env = digital();
    env.ok(&import_args(UK_PLAN, &["--effective", "2024-04-01"]));
    let csv = env.ok(&["--format", "csv", "item", "list", "digital-2024"]);
    // The untouched list changes nothing at all.
    let same = file(&env, "same.csv", &csv);
    let before = events(&env);
    let r = env.run(&import_args(&same, &["--update"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("0 items changed, 5 unchanged"),
        "{}",
        r.stderr
    );
    assert_eq!(events(&env), before);
    // One progress cell edited: one change to that item, holding from the
    // return's quarter, with the row's note.
    let edited = csv.replacen(",45,", ",60,", 1);
    assert_ne!(edited, csv);
    let path = file(&env, "return.csv", &edited);
    let dump = env.dump();
    let dry = env.run(&import_args(
        &path,
        &["--update", "--dry-run", "--effective", "FY2026-Q2"],
    ));
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(dry.stdout.contains("progress 45 → 60"), "{}", dry.stdout);
    assert_eq!(env.dump(), dump, "a dry run changes nothing");
    // Not a byte of the file, nor of its log (on SQLite).
    let bytes = |env: &Env| {
        if env.is_postgres() {
            return (Vec::new(), None);
        }
        let wal = env.db.with_extension("db-wal");
        (std::fs::read(&env.db).unwrap(), std::fs::read(wal).ok())
    };
    if !env.is_postgres() {
        env.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    let before_bytes = bytes(&env);
    let again = env.run(&import_args(
        &path,
        &["--update", "--dry-run", "--effective", "FY2026-Q2"],
    ));
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(bytes(&env) == before_bytes, "the dry run wrote to the file");
    env.ok(&import_args(
        &path,
        &["--update", "--effective", "FY2026-Q2"],
    ));
    assert_eq!(events(&env), before + 1);
    let d01 = by_ref(&env, "D01");
    assert_eq!(d01["progress"], 60);
    let history = env.json(&["item", "history", &d01["id"].to_string()]);
    let last = history.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["effective"], "2026-09-30");
    assert_eq!(last["changes"].as_array().unwrap().len(), 1, "{last}");
}

#[test]
fn a_return_with_notes_and_new_rows() {
    let env = digital();
    env.ok(&import_args(UK_PLAN, &[]));
    let path = file(
        &env,
        "q3.csv",
        "Ref,Progress,Commentary\r\nD02,80%,Dashboards live\r\nD04,,Started in October\r\nD09,,\r\n",
    );
    let before = events(&env);
    let err = env.fails(&import_args(&path, &["--update"]), 2);
    assert!(err.contains("line 4, column title: is required"), "{err}");
    let path = file(
        &env,
        "q3.csv",
        "Ref,Title,Progress,Commentary\r\nD02,Data and analytics platform,80%,Dashboards live\r\nD04,Digital skills programme for staff,,Started in October\r\nD09,Cloud contact centre,10%,\r\n",
    );
    env.ok(&import_args(&path, &["--update"]));
    assert_eq!(events(&env), before + 3, "two changes and one new item");
    assert_eq!(by_ref(&env, "D02")["progress"], 80);
    assert_eq!(by_ref(&env, "D02")["latest_note"], "Dashboards live");
    assert_eq!(by_ref(&env, "D04")["latest_note"], "Started in October");
    assert_eq!(by_ref(&env, "D09")["progress"], 10);
}

#[test]
fn a_report_imports_back_changing_nothing() {
    let env = digital();
    env.ok(&import_args(UK_PLAN, &[]));
    let csv = env.ok(&["--format", "csv", "report", "digital-2024"]);
    let path = file(&env, "report.csv", &csv);
    let before = events(&env);
    let r = env.run(&import_args(&path, &["--update"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stderr.contains("ignored"),
        "report columns are known: {}",
        r.stderr
    );
    assert_eq!(events(&env), before);
}

#[test]
fn refs_and_numbers_of_other_strategies_and_items_already_there() {
    let env = digital();
    env.add_strategy("tech-2020", "Technology Strategy", "2020-2023");
    env.ok(&import_args(UK_PLAN, &[]));
    let before = env.dump();
    // Without --update, a ref the strategy has is a conflict.
    let err = env.fails(&import_args(UK_PLAN, &[]), 4);
    assert!(
        err.contains("line 2, column Ref") && err.contains("--update"),
        "{err}"
    );
    // A number that names an item of another strategy.
    let csv = env.ok(&["--format", "csv", "item", "list", "digital-2024"]);
    let path = file(&env, "other.csv", &csv.replace("digital-2024", "tech-2020"));
    let err = env.fails(&["import", &path, "--strategy", "tech-2020", "--update"], 4);
    assert!(err.contains("belongs to digital-2024"), "{err}");
    // A row of another strategy than --strategy.
    let err = env.fails(
        &[
            "import",
            &file(&env, "x.csv", &csv),
            "--strategy",
            "tech-2020",
        ],
        2,
    );
    assert!(err.contains("is not --strategy tech-2020"), "{err}");
    assert_eq!(env.dump(), before);
}

#[test]
fn csv_for_excel_starts_with_a_byte_order_mark_when_asked() {
    let env = digital();
    env.ok(&["item", "add", "digital-2024", "Café services online"]);
    let plain = env
        .cmd()
        .args(["--format", "csv", "item", "list"])
        .output()
        .unwrap();
    assert!(plain.stdout.starts_with(b"id,"), "programs get no mark");
    let excel = env
        .cmd()
        .args(["--format", "csv", "--bom", "item", "list"])
        .output()
        .unwrap();
    assert!(excel.stdout.starts_with("\u{feff}id,".as_bytes()));
    assert!(
        String::from_utf8(excel.stdout.clone())
            .unwrap()
            .contains("Café")
    );
    // What it writes imports back, the mark and all.
    let path = env.dir.path().join("excel.csv");
    std::fs::write(&path, &excel.stdout).unwrap();
    let before = events(&env);
    env.ok(&import_args(path.to_str().unwrap(), &["--update"]));
    assert_eq!(events(&env), before);
    // The mark is for CSV only.
    let json = env
        .cmd()
        .args(["--format", "json", "--bom", "item", "list"])
        .output()
        .unwrap();
    assert!(json.stdout.starts_with(b"["));
}

/// The sheets of a workbook, each as rows of calamine's cells.
fn workbook(path: &std::path::Path) -> Vec<(String, Vec<Vec<calamine::Data>>)> {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(path).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range.rows().map(|r| r.to_vec()).collect();
            (name, rows)
        })
        .collect()
}

#[test]
fn a_workbook_has_an_overview_then_a_sheet_per_strategy_with_real_cells() {
    let env = digital();
    env.add_strategy("tech-2020", "Technology Strategy", "2020-2023");
    env.ok(&import_args(UK_PLAN, &["--effective", "2024-04-01"]));
    env.ok(&[
        "item",
        "add",
        "tech-2020",
        "=HYPERLINK(\"x\")",
        "--due",
        "2021-06-30",
    ]);
    let path = env.dir.path().join("plan.xlsx");
    env.ok(&[
        "--format",
        "xlsx",
        "--output",
        path.to_str().unwrap(),
        "report",
    ]);
    let sheets = workbook(&path);
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Overview", "tech-2020", "digital-2024"]);
    let overview = &sheets[0].1;
    assert_eq!(overview[0][0], calamine::Data::String("strategy".into()));
    let digital = &sheets[2].1;
    let header: Vec<String> = digital[0].iter().map(|c| c.to_string()).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let d01 = digital
        .iter()
        .find(|r| r[col("ref")] == calamine::Data::String("D01".into()))
        .unwrap();
    assert!(
        matches!(d01[col("due")], calamine::Data::DateTime(_)),
        "{:?}",
        d01[col("due")]
    );
    assert!(
        matches!(d01[col("progress")], calamine::Data::Float(_)),
        "{:?}",
        d01[col("progress")]
    );
    assert_eq!(d01[col("health")], calamine::Data::String("amber".into()));
    // Text is text: a title like a formula stays a string.
    let tech = &sheets[1].1;
    assert_eq!(
        tech[1][col("title")],
        calamine::Data::String("=HYPERLINK(\"x\")".into())
    );
    // What it wrote imports back, changing nothing.
    let before = events(&env);
    env.ok(&import_args(path.to_str().unwrap(), &["--update"]));
    assert_eq!(events(&env), before);
}

#[test]
fn a_return_made_in_a_workbook_updates_exactly_what_was_edited() {
    let env = digital();
    env.ok(&import_args(UK_PLAN, &["--effective", "2024-04-01"]));
    let listed = env.dir.path().join("list.xlsx");
    env.ok(&[
        "--format",
        "xlsx",
        "--output",
        listed.to_str().unwrap(),
        "item",
        "list",
    ]);
    let (_, rows) = workbook(&listed).remove(1);
    // The owner's workbook, as Excel would save it: dates as dates, one
    // progress cell edited.
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("digital-2024").unwrap();
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let date = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c16) = (r as u32, c as u16);
            match cell {
                calamine::Data::DateTime(d) => {
                    let day = d.as_datetime().unwrap().date();
                    let day =
                        rust_xlsxwriter::ExcelDateTime::parse_from_str(&day.to_string()).unwrap();
                    sheet
                        .write_datetime_with_format(r, c16, &day, &date)
                        .unwrap();
                }
                calamine::Data::Float(f) if header[c] == "progress" && r == 2 => {
                    assert_eq!(*f, 70.0);
                    sheet.write_number(r, c16, 85.0).unwrap();
                }
                calamine::Data::Float(f) => {
                    sheet.write_number(r, c16, *f).unwrap();
                }
                calamine::Data::Empty => {}
                other => {
                    sheet.write_string(r, c16, other.to_string()).unwrap();
                }
            }
        }
    }
    let edited = env.dir.path().join("return.xlsx");
    book.save(&edited).unwrap();
    let before = events(&env);
    let dump = env.dump();
    let dry = env.run(&import_args(
        edited.to_str().unwrap(),
        &["--update", "--dry-run"],
    ));
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains("row 3") && dry.stdout.contains("progress 70 → 85"),
        "{}",
        dry.stdout
    );
    assert_eq!(env.dump(), dump);
    env.ok(&import_args(edited.to_str().unwrap(), &["--update"]));
    assert_eq!(events(&env), before + 1);
    assert_eq!(by_ref(&env, "D02")["progress"], 85);
}

#[test]
fn bad_workbooks_are_refused_naming_the_place() {
    let env = digital();
    env.ok(&import_args(UK_PLAN, &[]));
    let before = env.dump();
    let fake = env.dir.path().join("fake.xlsx");
    std::fs::write(&fake, "not a workbook").unwrap();
    let err = env.fails(&import_args(fake.to_str().unwrap(), &[]), 2);
    assert!(err.contains("not an Excel workbook"), "{err}");
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Return").unwrap();
    for (c, h) in ["Title", "Progress", "Due Date"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "Fine").unwrap();
    sheet.write_number(1, 1, 10.0).unwrap();
    sheet.write_string(2, 0, "Bad").unwrap();
    sheet.write_number(2, 1, 150.0).unwrap();
    let path = env.dir.path().join("bad.xlsx");
    book.save(&path).unwrap();
    let err = env.fails(&import_args(path.to_str().unwrap(), &[]), 2);
    assert!(err.contains("row 3, column Progress"), "{err}");
    let err = env.fails(&import_args(path.to_str().unwrap(), &["--sheet", "Q3"]), 3);
    assert!(
        err.contains("no sheet 'Q3'") && err.contains("Return"),
        "{err}"
    );
    assert_eq!(env.dump(), before);
    // A workbook for commands that have none is refused, and no file left.
    let out = env.dir.path().join("check.xlsx");
    env.fails(
        &[
            "--format",
            "xlsx",
            "--output",
            out.to_str().unwrap(),
            "check",
        ],
        2,
    );
    assert!(!out.exists());
}

#[test]
fn spreadsheet_flags_where_they_do_not_apply_are_refused() {
    let env = digital();
    env.ok(&["import", UK_PLAN, "--strategy", "digital-2024"]);
    let export = file(&env, "all.json", &env.ok(&["export"]));
    let before = env.dump();
    let refused = |args: &[&str], said: &str| {
        let err = env.fails(args, 2);
        assert!(err.contains(said), "{args:?}: {err}");
        assert_eq!(env.dump(), before, "{args:?}");
    };
    refused(
        &["import", &export, "--effective", "2024-01-01"],
        "--effective is for spreadsheets",
    );
    refused(&["import", UK_PLAN, "--update"], "--strategy");
    refused(
        &["import", &export, "--strategy", "digital-2024"],
        "--strategy is for spreadsheets",
    );
    refused(
        &import_args(UK_PLAN, &["--sheet", "Q3", "--update"]),
        "--sheet is for workbooks",
    );
    refused(&["import", UK_PLAN], "name their strategy with --strategy");
    refused(
        &["--output", "/nonexistent/folder/list.json", "item", "list"],
        "cannot write --output",
    );
}
