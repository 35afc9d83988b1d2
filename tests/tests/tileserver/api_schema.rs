//! The data API against its own OpenAPI document with schemathesis (PyPI, pinned in
//! tests/python/requirements.txt; scripts/test.sh installs it and sets POPMAP_PYTHON): no 5xx,
//! every status, content type and body as the document says.

use popmap_tests::TestDb;

use crate::common::fixture::{populate, serve, unlimited};

#[tokio::test]
async fn api_conforms_to_its_openapi_document() {
    let Some(python) = std::env::var_os("POPMAP_PYTHON") else {
        if std::env::var_os("CI").is_some() {
            panic!("POPMAP_PYTHON is not set but CI is: run the suite with scripts/test.sh");
        }
        eprintln!("skipping schemathesis: POPMAP_PYTHON is not set (scripts/test.sh sets it)");
        return;
    };
    let db = TestDb::sqlite();
    let store = db.store().await;
    populate(&store).await;
    let addr = serve(store, unlimited()).await;
    let url = format!("http://{addr}/api/openapi.json");
    // schemathesis and hypothesis write caches into the working directory: keep them out of
    // the source tree.
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().to_path_buf();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .current_dir(cwd)
            .args(["-m", "schemathesis.cli", "run", &url])
            .args([
                "--checks",
                "not_a_server_error,status_code_conformance,content_type_conformance,\
                 response_schema_conformance,response_headers_conformance",
                "--phases",
                "examples,coverage,fuzzing",
                "--max-examples",
                "40",
                "--seed",
                "6",
                "--generation-database",
                "none",
                "--no-color",
                "--workers",
                "2",
            ])
            .output()
            .expect("running schemathesis")
    })
    .await
    .unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{text}");
    assert!(out.status.success(), "schemathesis found problems:\n{text}");
}
