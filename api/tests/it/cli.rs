//! The `motcua` binary's offline subcommands, run as a user would.

use std::process::Command;

fn motcua(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(args)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("motcua-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn deadline_prints_the_due_instant_alone() {
    let (code, out, _) = motcua(&["deadline", "--received", "2026-11-23T09:30:00+07:00", "--working-days", "3"]);
    assert_eq!((code, out.as_str()), (0, "2026-11-26T09:30:00+07:00\n"));
    let (code, out, _) = motcua(&[
        "deadline",
        "--received",
        "2026-11-27T08:30:00Z",
        "--working-days",
        "0",
        "--same-day-cutoff",
        "15:00",
    ]);
    assert_eq!(
        (code, out.as_str()),
        (0, "2026-11-30T17:00:00+07:00\n"),
        "15:30 local is after the cutoff: next working day"
    );
    let (code, out, _) = motcua(&["deadline", "--received", "2026-11-23T07:30:00+07:00", "--working-hours", "4"]);
    assert_eq!((code, out.as_str()), (0, "2026-11-23T11:30:00+07:00\n"));
    // The criminal record certificate's 10 days from Friday 20/11/2026: Monday 30/11 (Civil Code Art. 147-148).
    let (code, out, _) = motcua(&["deadline", "--received", "2026-11-20T09:00:00+07:00", "--calendar-days", "10"]);
    assert_eq!((code, out.as_str()), (0, "2026-11-30T17:00:00+07:00\n"));
}

#[test]
fn deadline_uses_a_given_calendar_and_its_offset() {
    let dir = scratch_dir("paris");
    let calendar = dir.join("paris.toml");
    std::fs::write(
        &calendar,
        "timezone = \"Europe/Paris\"\nworking_days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\nsessions = [[\"09:00\", \"12:00\"], [\"14:00\", \"18:00\"]]\n",
    )
    .unwrap();
    let args = [
        "deadline",
        "--received",
        "2026-11-27T17:00:00+01:00",
        "--working-hours",
        "3",
        "--calendar",
        calendar.to_str().unwrap(),
    ];
    let (code, out, _) = motcua(&args);
    assert_eq!((code, out.as_str()), (0, "2026-11-28T11:00:00+01:00\n"), "Saturday is a working day there");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn deadline_refuses_bad_input_with_one_line_and_exit_2() {
    let dir = scratch_dir("bad");
    let weekday = dir.join("weekday.toml");
    std::fs::write(
        &weekday,
        "timezone = \"Asia/Ho_Chi_Minh\"\nworking_days = [\"mon\", \"funday\"]\nsessions = [[\"07:30\", \"11:30\"]]\n",
    )
    .unwrap();
    let overlap = dir.join("overlap.toml");
    std::fs::write(&overlap, "timezone = \"Asia/Ho_Chi_Minh\"\nworking_days = [\"mon\"]\nsessions = [[\"07:30\", \"11:30\"], [\"11:00\", \"17:00\"]]\n").unwrap();
    let received = "2026-11-23T09:30:00+07:00";
    let cases: Vec<Vec<&str>> = vec![
        vec!["deadline", "--received", "23/11/2026", "--working-days", "3"],
        vec!["deadline", "--received", received, "--working-days", "-2"],
        vec!["deadline", "--received", received, "--working-days", "three"],
        vec!["deadline", "--received", received],
        vec!["deadline", "--received", received, "--working-days", "2", "--working-hours", "4"],
        vec!["deadline", "--received", received, "--calendar-days", "0"],
        vec!["deadline", "--received", received, "--calendar-days", "-3"],
        vec!["deadline", "--received", received, "--calendar-days", "99999999999"],
        vec!["deadline", "--received", received, "--calendar-days", "10", "--working-days", "2"],
        vec!["deadline", "--received", received, "--calendar-days", "10", "--same-day-cutoff", "15:00"],
        vec!["deadline", "--received", received, "--working-days", "0", "--same-day-cutoff", "3pm"],
        vec!["deadline", "--received", received, "--working-days", "1", "--calendar", weekday.to_str().unwrap()],
        vec!["deadline", "--received", received, "--working-days", "1", "--calendar", overlap.to_str().unwrap()],
        vec!["deadline", "--received", received, "--working-days", "1", "--calendar", "/nonexistent.toml"],
    ];
    for args in cases {
        let (code, out, err) = motcua(&args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn procedures_check_lists_every_file_and_every_problem() {
    let (code, out, _) = motcua(&["procedures", "check", "procedures"]);
    assert_eq!(code, 0, "{out}");
    let valid = out.lines().filter(|l| l.starts_with("ok ")).count();
    assert!(valid >= 10, "{out}");

    let (code, out, _) = motcua(&["procedures", "check", "engine/tests/golden"]);
    assert_eq!(code, 1);
    assert!(out.contains("invalid  engine/tests/golden/broken-flow.toml  (20 problems)"), "{out}");
    assert!(
        out.contains(
            "broken-flow.toml:17:29: steps[1].kind: step `receive`: only the first step receives [single_receive]"
        ),
        "{out}"
    );
}

/// Run from any directory, `procedures check` alone checks the definitions built in; with a file, that file
/// against the built-in registry and catalogue: a version already built in is refused, a new one passes.
#[test]
fn procedures_check_works_from_anywhere_on_the_built_in_definitions_and_one_file() {
    let dir = scratch_dir("procedures");
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_motcua")).args(args).current_dir(&dir).output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
    };
    let (code, out) = run(&["procedures", "check"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.lines().any(|l| l.starts_with("ok       built-in:1.001193-birth-registration.toml")), "{out}");
    let birth =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../procedures/1.001193-birth-registration.toml"))
            .unwrap();
    std::fs::write(dir.join("same.toml"), &birth).unwrap();
    let (code, out) = run(&["procedures", "check", "same.toml"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[duplicate_version]"), "{out}");
    let version = birth.lines().find(|l| l.starts_with("version")).unwrap();
    std::fs::write(dir.join("next.toml"), birth.replacen(version, "version = 42", 1)).unwrap();
    let (code, out) = run(&["procedures", "check", "next.toml"]);
    assert_eq!((code, out.trim_start().starts_with("ok       next.toml  1.001193 v42")), (0, true), "{out}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn admin_commands_manage_agencies_and_accounts() {
    let dir = scratch_dir("admin");
    let url = format!("sqlite://{}/motcua.db", dir.display());
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(args)
            .env("DATABASE_URL", &url)
            // Away from the checkout: the procedures and the calendar are built in.
            .current_dir(&dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let agency = ["admin", "add-agency", "--id", "000.31.09.H26", "--level", "commune"];
    let (code, out, err) =
        run(&[&agency[..], &["--kind", "commune_peoples_committee", "--name", "UBND xã Thử"]].concat(), "");
    assert_eq!(code, 0, "{out}{err}");
    let (code, _, err) = run(&[&agency[..], &["--kind", "district_committee", "--name", "X"]].concat(), "");
    assert_eq!(code, 2, "unknown kind: {err}");
    let (code, out, _) = run(&["admin", "agencies"], "");
    assert_eq!((code, out.as_str()), (0, "000.31.09.H26\tcommune\tUBND xã Thử\n"));

    let user = [
        "admin",
        "create-user",
        "--username",
        "thu.tiepnhan",
        "--full-name",
        "Người Thử",
        "--role",
        "reception_clerk",
        "--agency",
        "000.31.09.H26",
    ];
    let (code, _, err) = run(&user, "short\n");
    assert_eq!(code, 2, "a short password is refused: {err}");
    let (code, out, err) = run(&user, "mat-khau-dai-du\n");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("reception_clerk@000.31.09.H26"), "{out}");
    let (code, _, err) = run(&["admin", "reset-password", "--username", "thu.tiepnhan"], "mat-khau-moi-123\n");
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["admin", "reset-password", "--username", "nobody"], "mat-khau-moi-123\n");
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = run(
        &[
            "admin",
            "create-user",
            "--username",
            "x",
            "--full-name",
            "X",
            "--role",
            "mayor",
            "--agency",
            "000.31.09.H26",
        ],
        "",
    );
    assert_eq!(code, 2, "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `serve` on a port of the system's choosing, without `MOTCUA_PUBLIC_URL`: the citizens' sign-in sends them back
/// to the address it serves on (it named port 8080 whatever the bind before), and its log is plain text when
/// written to a pipe.
#[test]
fn serve_names_the_address_it_binds_in_its_links_and_logs_without_colour_to_a_pipe() {
    use std::io::{BufRead, BufReader};
    let dir = scratch_dir("bind");
    let mut child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["serve", "--demo", "--no-worker", "--bind", "127.0.0.1:0"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env_remove("MOTCUA_PUBLIC_URL")
        .env("MOTCUA_DATA_DIR", &dir)
        .env("DATABASE_URL", format!("sqlite://{}", dir.join("motcua.db").display()))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut address = None;
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 {
        if let Some(rest) = line.strip_prefix("motcua listening on http://") {
            address = rest.split_whitespace().next().map(str::to_string);
            break;
        }
        line.clear();
    }
    let address = address.expect("serve prints its address");
    let port = address.rsplit(':').next().unwrap().to_string();
    assert_ne!(port, "0");
    let client = reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let answer = client.get(format!("http://{address}/api/v1/auth/citizen/start")).send().unwrap();
    let _ = child.kill();
    let stderr = {
        let _ = child.wait();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut text).unwrap();
        text
    };
    let location = answer.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    let callback = format!("http%3A%2F%2Flocalhost%3A{port}%2Fapi%2Fv1%2Fauth%2Fcitizen%2Fcallback");
    assert!(location.contains(&callback), "{}: {location}", answer.status());
    assert!(stderr.contains("INFO") && !stderr.contains('\u{1b}'), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
