//! The blob store: staging (limits, sniffing, names), both backends, corruption, garbage collection.

use std::collections::HashSet;
use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use motcua_engine::documents::blobs::{
    BlobError, BlobStore, FsBlobStore, MediaType, ObjectBlobStore, Staged, Stager, UploadLimits,
    blob_store_from_config, collect_orphans, verify_all,
};
use sha2::{Digest, Sha256};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn limits(max: u64) -> UploadLimits {
    UploadLimits { max_file_bytes: max }
}

fn stage(store: &dyn BlobStore, name: &str, bytes: &[u8]) -> Result<Staged, BlobError> {
    let mut stager = store.stager(UploadLimits::default(), name)?;
    for chunk in bytes.chunks(7) {
        stager.write(chunk)?;
    }
    stager.finish()
}

fn read_all(store: &dyn BlobStore, sha256: &str) -> Result<Vec<u8>, BlobError> {
    let mut out = Vec::new();
    store.open(sha256)?.read_to_end(&mut out)?;
    Ok(out)
}

fn files_in(dir: &Path) -> usize {
    fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

// --- samples -------------------------------------------------------------------------------------------------

fn png_1x1() -> Vec<u8> {
    fn chunk(kind: &[u8], data: &[u8]) -> Vec<u8> {
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(&crc_input);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        out
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
    // zlib stream of a stored block holding the scanline [filter 0, grey 0].
    png.extend(chunk(b"IDAT", &[0x78, 0x01, 0x01, 0x02, 0x00, 0xfd, 0xff, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01]));
    png.extend(chunk(b"IEND", &[]));
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn jpeg() -> Vec<u8> {
    // SOI, an APP0/JFIF segment, EOI.
    let mut jpeg = vec![0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10];
    jpeg.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    jpeg.extend_from_slice(&[0xff, 0xd9]);
    jpeg
}

fn tiff() -> Vec<u8> {
    // Little-endian header, first IFD at 8 with one entry (ImageWidth = 1), no next IFD.
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&[0x00, 0x01, 0x03, 0x00, 0x01, 0, 0, 0, 0x01, 0x00, 0, 0]);
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

fn zip_with(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

fn docx() -> Vec<u8> {
    zip_with(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        (
            "word/document.xml",
            "<w:document><w:body><w:p><w:r><w:t>Đơn đề nghị</w:t></w:r></w:p></w:body></w:document>".as_bytes(),
        ),
    ])
}

// --- round trips ---------------------------------------------------------------------------------------------

fn round_trip(store: &dyn BlobStore) {
    let staged = stage(store, "giay-to.pdf", PDF).unwrap();
    assert_eq!(staged.sha256, sha(PDF));
    assert_eq!(staged.media_type, MediaType::Pdf);
    let staged_path = staged.path.clone();
    let blob = store.commit(staged).unwrap();
    assert_eq!(
        (blob.sha256.as_str(), blob.size, blob.media_type),
        (sha(PDF).as_str(), PDF.len() as u64, MediaType::Pdf)
    );
    assert!(!staged_path.exists(), "the staged file is gone after the commit");
    assert!(store.exists(&blob.sha256).unwrap());
    assert_eq!(read_all(store, &blob.sha256).unwrap(), PDF);
    store.verify(&blob.sha256).unwrap();
    let listed = store.list().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].0.as_str(), listed[0].1), (blob.sha256.as_str(), PDF.len() as u64));

    // The same content again, under another name: stored once.
    let again = store.commit(stage(store, "ban-sao.pdf", PDF).unwrap()).unwrap();
    assert_eq!(again, blob);
    assert_eq!(store.list().unwrap().len(), 1);
    assert_eq!(files_in(store.staging_dir()), 0, "no staged file left behind");

    let missing = sha(b"nothing");
    assert!(matches!(store.open(&missing), Err(BlobError::NotFound(_))));
    assert!(matches!(store.open("../../etc/passwd"), Err(BlobError::NotFound(_))));
    assert!(!store.exists(&missing).unwrap());

    store.delete(&blob.sha256).unwrap();
    store.delete(&blob.sha256).unwrap();
    assert!(!store.exists(&blob.sha256).unwrap());
    assert!(store.list().unwrap().is_empty());
}

#[test]
fn filesystem_round_trip_and_dedup() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::new(dir.path().join("blobs")).unwrap();
    round_trip(&store);
    let blob = store.commit(stage(&store, "a.pdf", PDF).unwrap()).unwrap();
    let expected = dir.path().join("blobs").join(&blob.sha256[..2]).join(&blob.sha256[2..4]).join(&blob.sha256);
    assert_eq!(fs::read(expected).unwrap(), PDF);
}

#[test]
fn in_memory_object_store_round_trip_and_dedup() {
    let dir = tempfile::tempdir().unwrap();
    let store = ObjectBlobStore::in_memory(dir.path().join("tmp")).unwrap();
    round_trip(&store);
}

#[test]
fn object_store_uploads_large_files_in_parts() {
    let dir = tempfile::tempdir().unwrap();
    let inner = Arc::new(object_store::memory::InMemory::new());
    let store = ObjectBlobStore::new(inner, "motcua/blobs", dir.path().join("tmp")).unwrap();
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..20 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8));
    bytes.extend_from_slice(b"\n%%EOF\n");
    let mut stager = store.stager(UploadLimits::default(), "lon.pdf").unwrap();
    for chunk in bytes.chunks(64 * 1024) {
        stager.write(chunk).unwrap();
    }
    let blob = store.commit(stager.finish().unwrap()).unwrap();
    assert_eq!(blob.sha256, sha(&bytes));
    assert_eq!(read_all(&store, &blob.sha256).unwrap(), bytes);
    assert_eq!(store.list().unwrap(), vec![(blob.sha256.clone(), bytes.len() as u64, store.list().unwrap()[0].2)]);
}

#[test]
fn store_from_config() {
    let dir = tempfile::tempdir().unwrap();
    let fs_store = blob_store_from_config(None, dir.path()).unwrap();
    assert!(fs_store.describe().contains("blobs"));
    let blob = fs_store.commit(stage(fs_store.as_ref(), "x.pdf", PDF).unwrap()).unwrap();
    assert!(dir.path().join("blobs").join(&blob.sha256[..2]).is_dir());

    let url = format!("file://{}", dir.path().join("elsewhere").display());
    let elsewhere = blob_store_from_config(Some(&url), dir.path()).unwrap();
    assert!(elsewhere.list().unwrap().is_empty());

    let memory = blob_store_from_config(Some("memory://"), dir.path()).unwrap();
    memory.commit(stage(memory.as_ref(), "x.pdf", PDF).unwrap()).unwrap();
    assert_eq!(memory.list().unwrap().len(), 1);

    // Built offline (no request is made until the store is used); credentials would come from AWS_* variables.
    let s3 = blob_store_from_config(Some("s3://motcua-papers/prod/blobs"), dir.path()).unwrap();
    assert!(s3.describe().contains("motcua-papers") && s3.describe().contains("prod/blobs"), "{}", s3.describe());
    assert!(blob_store_from_config(Some("s3://"), dir.path()).is_err());

    assert!(blob_store_from_config(Some("ftp://host/x"), dir.path()).is_err());
    assert!(blob_store_from_config(Some("file://relative"), dir.path()).is_err());
}

#[test]
fn staging_across_filesystems_is_copied_in() {
    // Staged outside the store's own tmp folder: the commit still works (rename or copy).
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::new(dir.path().join("blobs")).unwrap();
    let mut stager = Stager::new(dir.path().join("other-tmp"), UploadLimits::default(), "x.pdf").unwrap();
    stager.write(PDF).unwrap();
    let blob = store.commit(stager.finish().unwrap()).unwrap();
    assert_eq!(read_all(&store, &blob.sha256).unwrap(), PDF);
    assert_eq!(files_in(&dir.path().join("other-tmp")), 0);
}

// --- limits and sniffing -------------------------------------------------------------------------------------

#[test]
fn a_file_over_the_limit_is_refused_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().join("tmp");
    let mut stager = Stager::new(&tmp, limits(100), "big.pdf").unwrap();
    stager.write(&PDF[..60]).unwrap();
    assert_eq!(files_in(&tmp), 1);
    let err = stager.write(&[b' '; 41]).unwrap_err();
    assert!(matches!(err, BlobError::TooLarge { limit: 100 }), "{err:?}");
    assert_eq!(err.code(), "blob.too_large");
    assert_eq!(files_in(&tmp), 0, "refused at once, temp file removed");
    assert!(matches!(stager.write(b"x"), Err(BlobError::TooLarge { .. })));
    assert!(matches!(stager.finish(), Err(BlobError::TooLarge { .. })));

    // Through io::copy the same error comes back.
    let mut stager = Stager::new(&tmp, limits(10), "big.pdf").unwrap();
    let err = BlobError::from(io::copy(&mut io::Cursor::new(PDF), &mut stager).unwrap_err());
    assert!(matches!(err, BlobError::TooLarge { limit: 10 }), "{err:?}");
    drop(stager);
    assert_eq!(files_in(&tmp), 0);

    // Exactly at the limit is fine.
    let mut stager = Stager::new(&tmp, limits(PDF.len() as u64), "ok.pdf").unwrap();
    stager.write(PDF).unwrap();
    stager.finish().unwrap();
}

#[test]
fn every_accepted_type_is_recognised_from_its_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::new(dir.path()).unwrap();
    let samples: Vec<(&str, Vec<u8>, MediaType, &str)> = vec![
        ("don.pdf", PDF.to_vec(), MediaType::Pdf, "application/pdf"),
        ("anh.png", png_1x1(), MediaType::Png, "image/png"),
        ("anh.jpg", jpeg(), MediaType::Jpeg, "image/jpeg"),
        ("scan.tif", tiff(), MediaType::Tiff, "image/tiff"),
        (
            "to-khai.xml",
            "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ToKhai><HoTen>Nguyễn Văn An</HoTen></ToKhai>".into(),
            MediaType::Xml,
            "application/xml",
        ),
        ("bare.xml", b"<HoSo/>".to_vec(), MediaType::Xml, "application/xml"),
        (
            "don.docx",
            docx(),
            MediaType::Docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ];
    for (name, bytes, media_type, mime) in samples {
        // The name says nothing: each sample is also uploaded as "tep" with no extension.
        let staged = stage(&store, "tep", &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(staged.media_type, media_type, "{name}");
        assert_eq!(staged.file_name, format!("tep.{}", media_type.extension()));
        assert_eq!(media_type.mime(), mime);
        let staged = stage(&store, name, &bytes).unwrap();
        assert_eq!(staged.file_name, name);
        let blob = store.commit(staged).unwrap();
        assert_eq!(read_all(&store, &blob.sha256).unwrap(), bytes, "{name}");
    }
    assert_eq!(store.list().unwrap().len(), 7);
}

fn refusal(bytes: &[u8], name: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let mut stager = Stager::new(dir.path(), UploadLimits::default(), name).unwrap();
    stager.write(bytes).unwrap();
    let err = stager.finish().unwrap_err();
    assert_eq!(files_in(dir.path()), 0, "a refused upload leaves no file");
    assert_eq!(err.code(), "blob.unsupported_type", "{err}");
    match err {
        BlobError::UnsupportedType(reason) => reason,
        other => panic!("{other:?}"),
    }
}

#[test]
fn renamed_executable_is_refused() {
    let mut exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
    exe.extend_from_slice(b"This program cannot be run in DOS mode.\r\n%%EOF");
    assert!(refusal(&exe, "giay-khai-sinh.pdf").contains("Windows program"));
}

#[test]
fn truncated_pdf_is_refused() {
    let mut pdf = PDF.to_vec();
    pdf.extend(std::iter::repeat_n(b'0', 5000));
    let truncated = &pdf[..pdf.len() - 100];
    let reason = refusal(truncated, "a.pdf");
    assert!(reason.contains("PDF") && reason.contains("truncated"), "{reason}");
    assert!(refusal(&PDF[..PDF.len() - 4], "b.pdf").contains("%%EOF"));
}

#[test]
fn empty_file_plain_zip_and_other_content_are_refused() {
    assert_eq!(refusal(b"", "a.pdf"), "the file is empty");
    let plain_zip = zip_with(&[("a.txt", b"hello")]);
    assert!(refusal(&plain_zip, "a.docx").contains("not a Word document"));
    let xlsx_like =
        zip_with(&[("[Content_Types].xml", b"<Types>spreadsheetml.sheet</Types>"), ("word/document.xml", b"<x/>")]);
    assert!(refusal(&xlsx_like, "a.docx").contains("not a Word document"));
    assert!(refusal(b"just some text", "a.xml").contains("not a PDF"));
    assert!(refusal(b"<html><body>hi</body></html>", "a.xml").contains("HTML"));
    assert!(refusal(b"<a>\xc3\x28</a>", "a.xml").contains("UTF-8"));
    assert!(refusal(&jpeg()[..10], "a.jpg").contains("JPEG"));
    assert!(refusal(&png_1x1()[..30], "a.png").contains("PNG"));
    // Invalid UTF-8 far past the head is found by the whole-file check.
    let mut long_xml = b"<a>".to_vec();
    long_xml.extend(std::iter::repeat_n(b'x', 100_000));
    long_xml.extend_from_slice(b"\xff</a>");
    assert!(refusal(&long_xml, "a.xml").contains("UTF-8"));
}

#[test]
fn zip_entry_escaping_the_archive_is_refused() {
    let evil = zip_with(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("word/document.xml", b"<w:document/>"),
        ("../../etc/cron.d/x", b"* * * * * root sh"),
    ]);
    assert!(refusal(&evil, "a.docx").contains("unsafe entry name"));
}

#[test]
fn zip_bomb_is_refused() {
    // A DOCX-shaped archive whose document is 100 MiB of zeros: written streaming, compressed to ~100 KB.
    let dir = tempfile::tempdir().unwrap();
    let bomb_path = dir.path().join("bomb.docx");
    let mut writer = zip::ZipWriter::new(File::create(&bomb_path).unwrap());
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("[Content_Types].xml", options).unwrap();
    writer.write_all(CONTENT_TYPES.as_bytes()).unwrap();
    writer.start_file("word/document.xml", options).unwrap();
    let zeros = vec![0u8; 64 * 1024];
    for _ in 0..1600 {
        writer.write_all(&zeros).unwrap();
    }
    writer.finish().unwrap();
    let size = fs::metadata(&bomb_path).unwrap().len();
    assert!(size < 1024 * 1024, "{size}");

    let tmp = dir.path().join("tmp");
    let mut stager = Stager::new(&tmp, UploadLimits::default(), "bomb.docx").unwrap();
    io::copy(&mut File::open(&bomb_path).unwrap(), &mut stager).unwrap();
    let err = stager.finish().unwrap_err();
    assert!(matches!(&err, BlobError::UnsupportedType(reason) if reason.contains("zip bomb")), "{err}");
    assert_eq!(files_in(&tmp), 0);
}

#[test]
fn file_names_are_sanitised() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::new(dir.path()).unwrap();
    assert_eq!(stage(&store, "../../etc/passwd.pdf", PDF).unwrap().file_name, "passwd.pdf");
    assert_eq!(stage(&store, "C:\\fakepath\\Đơn  đề\tnghị.pdf", PDF).unwrap().file_name, "Đơn đề nghị.pdf");
    assert_eq!(stage(&store, "virus.exe", PDF).unwrap().file_name, "virus.exe.pdf");
    assert_eq!(stage(&store, "", &png_1x1()).unwrap().file_name, "tep-tin.png");
}

#[test]
fn dropping_a_staged_upload_removes_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::new(dir.path()).unwrap();
    let staged = stage(&store, "a.pdf", PDF).unwrap();
    assert!(staged.path.exists());
    let path = staged.path.clone();
    drop(staged);
    assert!(!path.exists());
    let mut stager = store.stager(UploadLimits::default(), "a.pdf").unwrap();
    stager.write(PDF).unwrap();
    drop(stager);
    assert_eq!(files_in(store.staging_dir()), 0);
}

// --- corruption, missing blobs, garbage collection -----------------------------------------------------------

fn flip_a_byte(path: &Path, at: u64) {
    let mut file = fs::OpenOptions::new().read(true).write(true).open(path).unwrap();
    let mut byte = [0u8];
    file.seek(SeekFrom::Start(at)).unwrap();
    file.read_exact(&mut byte).unwrap();
    file.seek(SeekFrom::Start(at)).unwrap();
    file.write_all(&[byte[0] ^ 0x01]).unwrap();
}

#[test]
fn corruption_is_detected_on_read_verify_and_verify_all() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::new(dir.path()).unwrap();
    let good = store.commit(stage(&store, "good.png", &png_1x1()).unwrap()).unwrap();
    let bad = store.commit(stage(&store, "bad.pdf", PDF).unwrap()).unwrap();
    flip_a_byte(&store.path_of(&bad.sha256), 20);

    let mut reader = store.open(&bad.sha256).unwrap();
    let mut out = Vec::new();
    let err = BlobError::from(reader.read_to_end(&mut out).unwrap_err());
    assert!(matches!(&err, BlobError::Corrupt { sha256, .. } if *sha256 == bad.sha256), "{err:?}");
    assert_eq!(err.code(), "blob.corrupt");
    assert!(out.len() < PDF.len(), "the end of a corrupt blob is withheld");

    assert!(matches!(store.verify(&bad.sha256), Err(BlobError::Corrupt { .. })));
    store.verify(&good.sha256).unwrap();

    let absent = sha(b"referenced but never stored");
    let referenced: HashSet<String> = [good.sha256.clone(), bad.sha256.clone(), absent.clone()].into();
    let report = verify_all(&store, &referenced).unwrap();
    assert_eq!(report.checked, 2);
    assert_eq!(report.corrupt, vec![bad.sha256.clone()]);
    assert_eq!(report.missing, vec![absent]);
    assert!(!report.is_clean());

    // Committing the good content again repairs a damaged copy of another size.
    fs::OpenOptions::new().append(true).open(store.path_of(&bad.sha256)).unwrap().write_all(b"junk").unwrap();
    store.commit(stage(&store, "bad.pdf", PDF).unwrap()).unwrap();
    store.verify(&bad.sha256).unwrap();
}

#[test]
fn corruption_is_detected_in_the_object_store() {
    let dir = tempfile::tempdir().unwrap();
    let inner = Arc::new(object_store::memory::InMemory::new());
    let store = ObjectBlobStore::new(inner.clone(), "p", dir.path()).unwrap();
    let blob = store.commit(stage(&store, "a.pdf", PDF).unwrap()).unwrap();
    let key = object_store::path::Path::from(format!("p/{}/{}/{}", &blob.sha256[..2], &blob.sha256[2..4], blob.sha256));
    let mut tampered = PDF.to_vec();
    tampered[10] ^= 1;
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(object_store::ObjectStoreExt::put(inner.as_ref(), &key, tampered.into())).unwrap();
    assert!(matches!(store.verify(&blob.sha256), Err(BlobError::Corrupt { .. })));
    let report = verify_all(&store, &HashSet::new()).unwrap();
    assert_eq!(report.corrupt, vec![blob.sha256]);
}

#[test]
fn orphans_are_collected_after_the_grace_period() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::new(dir.path()).unwrap();
    let kept = store.commit(stage(&store, "kept.pdf", PDF).unwrap()).unwrap();
    let orphan = store.commit(stage(&store, "orphan.png", &png_1x1()).unwrap()).unwrap();
    let referenced: HashSet<String> = [kept.sha256.clone()].into();

    // Within the grace period (stored after the cut-off): nothing goes.
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    assert!(collect_orphans(&store, &referenced, an_hour_ago).unwrap().is_empty());
    assert!(store.exists(&orphan.sha256).unwrap());

    // Past it: the unreferenced blob goes, the referenced one stays.
    let later = SystemTime::now() + Duration::from_secs(1);
    assert_eq!(collect_orphans(&store, &referenced, later).unwrap(), vec![orphan.sha256.clone()]);
    assert!(!store.exists(&orphan.sha256).unwrap());
    assert!(store.exists(&kept.sha256).unwrap());

    // Committing existing content again restarts its grace period.
    let old = SystemTime::now() - Duration::from_secs(48 * 3600);
    File::options().write(true).open(store.path_of(&kept.sha256)).unwrap().set_modified(old).unwrap();
    store.commit(stage(&store, "kept-again.pdf", PDF).unwrap()).unwrap();
    assert!(collect_orphans(&store, &HashSet::new(), an_hour_ago).unwrap().is_empty());
}

#[test]
fn stores_are_usable_from_many_threads_at_once() {
    // The object store blocks on its own runtime from every calling thread; the same content committed
    // concurrently still ends as one blob.
    let dir = tempfile::tempdir().unwrap();
    let stores: Vec<Arc<dyn BlobStore>> = vec![
        Arc::new(ObjectBlobStore::in_memory(dir.path().join("tmp")).unwrap()),
        Arc::new(FsBlobStore::new(dir.path().join("fs")).unwrap()),
    ];
    for store in stores {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let own = format!("%PDF-1.4\n% thread {i}\n%%EOF\n").into_bytes();
                    for bytes in [own.as_slice(), PDF] {
                        let blob = store.commit(stage(store.as_ref(), "a.pdf", bytes).unwrap()).unwrap();
                        assert_eq!(read_all(store.as_ref(), &blob.sha256).unwrap(), bytes);
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().unwrap();
        }
        assert_eq!(store.list().unwrap().len(), 9, "{}", store.describe());
        assert!(verify_all(store.as_ref(), &HashSet::new()).unwrap().is_clean());
    }
}

#[test]
fn stale_staging_files_are_removed() {
    let dir = tempfile::tempdir().unwrap();
    let store = FsBlobStore::new(dir.path()).unwrap();
    let tmp = store.staging_dir().to_path_buf();
    // A crash left one upload behind a day ago; another upload is in progress now.
    let crashed = tmp.join("upload-0123456789abcdef.part");
    fs::write(&crashed, b"%PDF-1.4 half").unwrap();
    File::options()
        .write(true)
        .open(&crashed)
        .unwrap()
        .set_modified(SystemTime::now() - Duration::from_secs(86_400))
        .unwrap();
    let mut in_progress = store.stager(UploadLimits::default(), "a.pdf").unwrap();
    in_progress.write(PDF).unwrap();
    fs::write(tmp.join("not-ours.txt"), b"x").unwrap();

    let cutoff = SystemTime::now() - Duration::from_secs(3600);
    assert_eq!(motcua_engine::documents::blobs::remove_stale_staging(&tmp, cutoff).unwrap(), 1);
    assert!(!crashed.exists());
    assert_eq!(files_in(&tmp), 2);
    store.commit(in_progress.finish().unwrap()).unwrap();
}
