//! The demo dataset generator on the real inputs in `data/vn/`.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Instant;

use etl::demo::{DemoManifest, generate};

struct Run {
    _dir: tempfile::TempDir,
    out: PathBuf,
    manifest: DemoManifest,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let inputs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/vn");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().to_path_buf();
        let t = Instant::now();
        let manifest = generate(&inputs, &out).unwrap();
        eprintln!("generate took {:?}", t.elapsed());
        eprintln!(
            "fallbacks {} islands {:?} nudged {}",
            manifest.dissolve_fallbacks,
            manifest.island_cells,
            manifest.nudged_points.len()
        );
        Run {
            _dir: dir,
            out,
            manifest,
        }
    })
}

#[test]
fn smoke() {
    let r = run();
    eprintln!("{:?}", r.manifest.versions);
    assert!(r.out.join("manifest.json").exists());
}
