//! Cross-check of the natural-breaks classification against an independent implementation:
//! PyPI `jenkspy` (Fisher–Jenks in C), run by the Python that scripts/test.sh installs
//! (`POPMAP_PYTHON`, from tests/python/requirements.txt).

use std::io::Write;
use std::process::{Command, Stdio};

use geodata::{Method, class_of, thresholds};

/// Skewed positive values like unit densities: a deterministic log-uniform sample.
fn sample(n: usize, seed: u64) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            (10f64.powf(1.0 + 3.5 * u) * 1000.0).round() / 1000.0
        })
        .collect()
}

/// jenkspy's breaks `[min, upper bound of class 1, …, max]` for each (values, k).
fn jenkspy(python: &str, cases: &[(Vec<f64>, usize)]) -> Vec<Vec<f64>> {
    let input = serde_json::to_string(cases).unwrap();
    let script = "import json, sys, jenkspy\n\
        cases = json.load(sys.stdin)\n\
        print(json.dumps([[float(b) for b in jenkspy.jenks_breaks(v, n_classes=k)] for v, k in cases]))";
    let mut child = Command::new(python)
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("running {python}: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "jenkspy failed: {out:?}");
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn natural_breaks_match_jenkspy() {
    let Ok(python) = std::env::var("POPMAP_PYTHON") else {
        eprintln!("skipped: POPMAP_PYTHON is not set (scripts/test.sh sets it up with jenkspy)");
        return;
    };
    let mut cases = Vec::new();
    for (i, n) in [40usize, 250, 700, 1500].into_iter().enumerate() {
        for k in [3usize, 5, 7] {
            cases.push((sample(n, 11 + i as u64 * 31 + k as u64), k));
        }
    }
    let theirs = jenkspy(&python, &cases);
    for ((values, k), breaks) in cases.iter().zip(&theirs) {
        let t = thresholds(Method::Jenks, values, *k, &[]);
        assert_eq!(t.len(), k - 1, "n={} k={k}", values.len());
        // Our classes' upper bounds (largest value of each class) are jenkspy's inner breaks.
        let mut upper = vec![f64::NEG_INFINITY; *k];
        for v in values {
            let c = class_of(*v, &t);
            upper[c] = upper[c].max(*v);
        }
        assert_eq!(
            &upper[..k - 1],
            &breaks[1..*k],
            "n={} k={k}: ours {t:?}",
            values.len()
        );
        assert_eq!(upper[k - 1], breaks[*k]);
    }
}
