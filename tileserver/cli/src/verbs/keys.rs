//! `popmap keys create|list|revoke`: API keys (only their SHA-256 is stored).

use std::process::ExitCode;

use geodata::Store;

use super::out;
use crate::args::Keys;

/// Runs one `keys` subcommand.
pub async fn run(store: &Store, k: Keys) -> anyhow::Result<ExitCode> {
    keys(store, k).await?;
    Ok(ExitCode::SUCCESS)
}

/// `popmap keys create|list|revoke`.
async fn keys(store: &Store, k: Keys) -> anyhow::Result<()> {
    match k {
        Keys::Create { name, admin } => {
            let (secret, hash) = tileserver::state::access::new_key();
            let key = store.create_key(&name, admin, &hash).await?;
            out!("{secret}");
            eprintln!(
                "created {}key {} '{}': the key above is shown once, only its hash is stored",
                if key.admin { "admin " } else { "" },
                key.id,
                key.name
            );
        }
        Keys::List => {
            out!("id\tadmin\tcreated_at\trevoked_at\tname");
            for k in store.keys().await? {
                out!(
                    "{}\t{}\t{}\t{}\t{}",
                    k.id,
                    k.admin,
                    k.created_at,
                    k.revoked_at.as_deref().unwrap_or("-"),
                    k.name
                );
            }
        }
        Keys::Revoke { id } => match store.revoke_key(id).await? {
            Some(k) => eprintln!(
                "key {id} revoked on {}",
                k.revoked_at.as_deref().unwrap_or("?")
            ),
            None => anyhow::bail!("no API key with id {id}"),
        },
    }
    Ok(())
}
