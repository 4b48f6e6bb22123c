//! PDF signatures end to end: the demo PKI, PAdES signing by the leader (RSA) then the agency seal (ECDSA) as
//! incremental updates, and verification by our `Verifier`, poppler's `pdfsig` and `openssl cms -verify`
//! (both need to be installed: poppler-utils, openssl).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

use crate::common::{der_len, run};

use chrono::{DateTime, Duration, SubsecRound, Utc};
use motcua_engine::documents::signature::{SignatureCheck, SignatureVerifier};
use motcua_engine::signing::{
    BuiltInSigner, DEMO_PKCS12_PASSWORD, DemoPki, KeyKind, SignError, SignatureReport, SignatureStatus, Signer,
    Verifier, demo_pki, self_signed,
};

const SAMPLE: &[u8] = include_bytes!("../../../fixtures/papers/mau-ket-qua.pdf");

struct Fixture {
    dir: PathBuf,
    pki: DemoPki,
    now: DateTime<Utc>,
    /// SAMPLE signed by the leader.
    once: Vec<u8>,
    /// `once` sealed by the agency.
    twice: Vec<u8>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("signing");
    let _ = std::fs::remove_dir_all(&dir);
    let now = Utc::now().trunc_subsecs(0);
    let pki = demo_pki(&dir.join("pki"), now).expect("demo PKI");
    let once = pki.leader.sign_pdf(SAMPLE, "Phê duyệt kết quả", now).expect("leader signs");
    let twice = pki.agency.sign_pdf(&once, "Đóng dấu", now + Duration::minutes(5)).expect("agency seals");
    std::fs::write(dir.join("twice.pdf"), &twice).unwrap();
    Fixture { dir, pki, now, once, twice }
});

fn verifier(f: &Fixture) -> Verifier {
    Verifier::new(vec![f.pki.ca.certificate().clone()])
}

fn check(verifier: &Verifier, pdf: &[u8]) -> SignatureCheck {
    verifier.check("application/pdf", &mut &pdf[..]).expect("readable")
}

fn invalid_reason(check: SignatureCheck) -> String {
    match check {
        SignatureCheck::Invalid { reason } => reason,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[test]
fn demo_pki_writes_pem_and_pkcs12_files_private_ones_0600() {
    use std::os::unix::fs::PermissionsExt;
    let f = &*FIXTURE;
    let pki_dir = f.dir.join("pki");
    for name in ["ca.pem", "ca.key.pem", "leader.pem", "leader.key.pem", "leader.p12", "agency.pem", "agency.key.pem"] {
        assert!(pki_dir.join(name).is_file(), "{name} written");
    }
    for name in ["ca.key.pem", "leader.key.pem", "leader.p12", "agency.key.pem", "agency.p12"] {
        let mode = std::fs::metadata(pki_dir.join(name)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is private");
    }
    assert_eq!(f.pki.leader.algorithm(), "RSA-2048");
    assert_eq!(f.pki.agency.algorithm(), "ECDSA P-256");
    assert_eq!(f.pki.leader.subject(), "Nguyễn Văn An");
    assert_eq!(f.pki.leader.chain().len(), 2);

    // Our PKCS#12 and PEM files load back, and OpenSSL reads our PKCS#12 (MAC and PBES2 agree).
    for name in ["leader", "agency"] {
        let p12 = std::fs::read(pki_dir.join(format!("{name}.p12"))).unwrap();
        let signer = BuiltInSigner::from_pkcs12(&p12, DEMO_PKCS12_PASSWORD).expect("our PKCS#12 loads");
        assert_eq!(signer.chain().len(), 2);
        let key = std::fs::read_to_string(pki_dir.join(format!("{name}.key.pem"))).unwrap();
        let chain = std::fs::read_to_string(pki_dir.join(format!("{name}.pem"))).unwrap();
        let from_pem = BuiltInSigner::from_pem(&key, &chain).expect("PEM loads");
        assert_eq!(from_pem.certificate(), signer.certificate());
        let (ok, out) = run(Command::new("openssl")
            .args(["pkcs12", "-in"])
            .arg(pki_dir.join(format!("{name}.p12")))
            .args(["-passin", &format!("pass:{DEMO_PKCS12_PASSWORD}"), "-nodes", "-out", "/dev/null"]));
        assert!(ok, "openssl reads {name}.p12: {out}");
    }
    assert!(matches!(
        BuiltInSigner::from_pkcs12(&std::fs::read(pki_dir.join("leader.p12")).unwrap(), "wrong"),
        Err(SignError::Pkcs12(_))
    ));

    // A PKCS#12 made by OpenSSL 3 (defaults: PBES2 AES-256-CBC, HMAC-SHA-256) loads.
    let p12 = f.dir.join("openssl-made.p12");
    let (ok, out) = run(Command::new("openssl")
        .args(["pkcs12", "-export", "-inkey"])
        .arg(pki_dir.join("agency.key.pem"))
        .arg("-in")
        .arg(pki_dir.join("agency.pem"))
        .args(["-passout", "pass:bí mật", "-out"])
        .arg(&p12));
    assert!(ok, "openssl pkcs12 -export: {out}");
    let signer = BuiltInSigner::from_pkcs12(&std::fs::read(&p12).unwrap(), "bí mật").expect("OpenSSL's PKCS#12 loads");
    assert_eq!(signer.certificate(), f.pki.agency.certificate());
}

#[test]
fn leader_then_agency_signatures_are_both_valid() {
    let f = &*FIXTURE;
    let v = verifier(f);
    assert!(f.twice.starts_with(&f.once), "the seal is an incremental update");
    assert!(f.once.starts_with(SAMPLE));

    let reports = v.verify_pdf(&f.twice);
    assert_eq!(reports.len(), 2, "{reports:?}");
    let [leader, agency]: [SignatureReport; 2] = reports.try_into().unwrap();
    assert_eq!(leader.status, SignatureStatus::Valid, "{leader:?}");
    assert_eq!(agency.status, SignatureStatus::Valid, "{agency:?}");
    assert_eq!(leader.signer.as_deref(), Some("Nguyễn Văn An"));
    assert_eq!(agency.signer.as_deref(), Some("UBND xã Demo"));
    assert_eq!(leader.signing_time, Some(f.now));
    assert_eq!(agency.signing_time, Some(f.now + Duration::minutes(5)));
    assert_eq!(leader.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    // The first signature's range is untouched by the second and ends where the first revision ended.
    let first = leader.byte_range.unwrap();
    assert_eq!(first[2] + first[3], f.once.len());
    let second = agency.byte_range.unwrap();
    assert_eq!(second[2] + second[3], f.twice.len());

    assert_eq!(check(&v, &f.twice), SignatureCheck::Valid { signer: "Nguyễn Văn An; UBND xã Demo".into() });
    assert_eq!(check(&v, &f.once), SignatureCheck::Valid { signer: "Nguyễn Văn An".into() });
}

#[test]
fn pdfsig_reports_both_signatures_valid() {
    let f = &*FIXTURE;
    let path = f.dir.join("twice.pdf");
    // Integrity and certificates: the demo CA is not in poppler's NSS database, so the certificate line says
    // the issuer is not trusted while the signature itself is valid.
    let (ok, out) = run(Command::new("pdfsig").arg(&path));
    assert!(ok, "{out}");
    assert!(out.contains("Signature #1:") && out.contains("Signature #2:"), "{out}");
    assert_eq!(out.matches("Signature Validation: Signature is Valid.").count(), 2, "{out}");
    assert!(out.contains("Signer Certificate Common Name: Nguyễn Văn An"), "{out}");
    assert!(out.contains("Signer Certificate Common Name: UBND xã Demo"), "{out}");
    assert_eq!(out.matches("Signature Type: ETSI.CAdES.detached").count(), 2, "{out}");
    assert!(out.contains("Total document signed"), "{out}");
    assert_eq!(out.matches("Certificate Validation: Certificate issuer isn't Trusted.").count(), 2, "{out}");
    // Without certificate validation, only the integrity verdicts remain.
    let (ok, out) = run(Command::new("pdfsig").arg("-nocert").arg(&path));
    assert!(ok, "{out}");
    assert_eq!(out.matches("Signature is Valid.").count(), 2, "{out}");
    assert!(!out.contains("Certificate Validation"), "{out}");
}

#[test]
fn openssl_cms_verify_accepts_each_signature() {
    let f = &*FIXTURE;
    let ca = f.dir.join("pki").join("ca.pem");
    let reports = verifier(f).verify_pdf(&f.twice);
    assert_eq!(reports.len(), 2);
    for (i, report) in reports.iter().enumerate() {
        let r = report.byte_range.unwrap();
        let signed = [&f.twice[r[0]..r[0] + r[1]], &f.twice[r[2]..r[2] + r[3]]].concat();
        let hex = &f.twice[r[1] + 1..r[2] - 1];
        let cms = hex::decode(hex).unwrap();
        let cms = &cms[..der_len(&cms)];
        let content_path = f.dir.join(format!("signed-{i}.bin"));
        let cms_path = f.dir.join(format!("signature-{i}.der"));
        std::fs::write(&content_path, &signed).unwrap();
        std::fs::write(&cms_path, cms).unwrap();
        let (ok, out) = run(Command::new("openssl")
            .args(["cms", "-verify", "-inform", "DER", "-binary", "-in"])
            .arg(&cms_path)
            .arg("-content")
            .arg(&content_path)
            .arg("-CAfile")
            .arg(&ca)
            .args(["-purpose", "any", "-out", "/dev/null"]));
        assert!(ok && out.contains("Verification successful"), "signature {}: {out}", i + 1);
    }
}

#[test]
fn tampered_copy_is_invalid_naming_the_digest_mismatch() {
    let f = &*FIXTURE;
    let mut tampered = f.twice.clone();
    let at = tampered.windows(7).position(|w| w == b"Ket qua").expect("sample text");
    tampered[at] = b'L'; // inside the first signed range of both signatures
    let reason = invalid_reason(check(&verifier(f), &tampered));
    assert!(reason.contains("message digest mismatch"), "{reason}");
    assert!(reason.starts_with("signature 1 (Nguyễn Văn An)"), "{reason}");

    let path = f.dir.join("tampered.pdf");
    std::fs::write(&path, &tampered).unwrap();
    let (_, out) = run(Command::new("pdfsig").arg("-nocert").arg(&path));
    assert_eq!(out.matches("Signature Validation: Digest Mismatch.").count(), 2, "{out}");
}

#[test]
fn changes_after_the_last_signature_are_invalid() {
    let f = &*FIXTURE;
    let mut changed = f.twice.clone();
    changed.extend_from_slice(b"9 0 obj\n(added later)\nendobj\n");
    let reason = invalid_reason(check(&verifier(f), &changed));
    assert!(reason.contains("signature 2") && reason.contains("changed after the last signature"), "{reason}");
}

#[test]
fn untrusted_certificate_is_invalid() {
    let f = &*FIXTURE;
    let stranger =
        self_signed("CN=Người lạ,C=VN", KeyKind::EcdsaP256, f.now - Duration::days(1), f.now + Duration::days(1))
            .unwrap();
    let signed = stranger.sign_pdf(SAMPLE, "test", f.now).unwrap();
    let reason = invalid_reason(check(&verifier(f), &signed));
    assert!(reason.contains("untrusted"), "{reason}");
    // The same signature is valid for a verifier that trusts that certificate.
    let trusting = Verifier::new(vec![stranger.certificate().clone()]);
    assert!(matches!(check(&trusting, &signed), SignatureCheck::Valid { .. }));
}

#[test]
fn expired_certificate_is_invalid() {
    let f = &*FIXTURE;
    let expired = f
        .pki
        .ca
        .issue(
            "CN=Trần Thị Hết Hạn,C=VN",
            KeyKind::EcdsaP256,
            f.now - Duration::minutes(50),
            f.now - Duration::minutes(10),
        )
        .unwrap();
    let signed = expired.sign_pdf(SAMPLE, "test", f.now).unwrap();
    let reason = invalid_reason(check(&verifier(f), &signed));
    assert!(reason.contains("expired"), "{reason}");
    // Signed while it was valid (the demo CA is valid from an hour before `now`), it holds.
    let signed = expired.sign_pdf(SAMPLE, "test", f.now - Duration::minutes(30)).unwrap();
    assert!(matches!(check(&verifier(f), &signed), SignatureCheck::Valid { .. }));
}

#[test]
fn unsigned_pdf_and_other_media_types_are_unsigned() {
    let f = &*FIXTURE;
    let v = verifier(f);
    assert_eq!(check(&v, SAMPLE), SignatureCheck::Unsigned);
    assert_eq!(v.check("image/png", &mut &f.twice[..]).unwrap(), SignatureCheck::Unsigned);
    assert_eq!(v.check("application/PDF; charset=binary", &mut &f.twice[..]).unwrap(), check(&v, &f.twice));
}

#[test]
fn signatures_on_a_pdf_with_object_and_xref_streams_are_valid() {
    let f = &*FIXTURE;
    let mut doc = lopdf::Document::load_mem(SAMPLE).unwrap();
    let mut modern = Vec::new();
    doc.save_modern(&mut modern).unwrap();
    assert!(modern.windows(9).any(|w| w == b"/XRef") || modern.windows(5).any(|w| w == b"/XRef"));
    let once = f.pki.leader.sign_pdf(&modern, "a", f.now).unwrap();
    let twice = f.pki.agency.sign_pdf(&once, "b", f.now).unwrap();
    let reports = verifier(f).verify_pdf(&twice);
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| r.status == SignatureStatus::Valid), "{reports:?}");
    let path = f.dir.join("modern-twice.pdf");
    std::fs::write(&path, &twice).unwrap();
    let (ok, out) = run(Command::new("pdfsig").arg("-nocert").arg(&path));
    assert!(ok, "{out}");
    assert_eq!(out.matches("Signature is Valid.").count(), 2, "{out}");
}

#[test]
fn the_private_key_is_not_in_debug_output() {
    let f = &*FIXTURE;
    for name in ["leader", "agency"] {
        let pem = std::fs::read_to_string(f.dir.join("pki").join(format!("{name}.key.pem"))).unwrap();
        let signer = BuiltInSigner::from_pem(
            &pem,
            &std::fs::read_to_string(f.dir.join("pki").join(format!("{name}.pem"))).unwrap(),
        )
        .unwrap();
        let shown = format!("{signer:?} {:?}", f.pki);
        assert!(shown.contains("redacted"), "{shown}");
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        for chunk in body.as_bytes().chunks(12) {
            assert!(!shown.contains(std::str::from_utf8(chunk).unwrap()), "key material in {shown}");
        }
    }
}
