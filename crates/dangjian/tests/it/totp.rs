//! The second factor: administrators must enrol TOTP before anything else; afterwards login
//! needs a current code, and a code cannot be replayed.

use dangjian_domain::totp;
use serde_json::json;

use crate::helpers::*;

fn code_for(secret_b32: &str, step_offset: i64) -> String {
    let secret = totp::from_base32(secret_b32).expect("base32 secret");
    let step = dangjian_domain::time::now_unix().div_euclid(totp::STEP_SECONDS) + step_offset;
    totp::code_at(&secret, step)
}

async fn login_with(app: &TestApp, user: &str, otp: &str) -> Resp {
    Resp::from(app.client().post(app.api_url("/login")).json(&json!({"username": user, "password": "Demo@2026", "otp": otp})).send().await.expect("login")).await
}

#[tokio::test]
async fn administrators_enrol_a_second_factor_and_then_need_it() {
    let app = spawn_app_with(|c| c.auth.require_second_factor_for_admins = true).await;
    app.demo().await;

    let admin = app.demo_login("admin").await;
    let blocked = admin.get("/accounts").await;
    assert_eq!((blocked.status, blocked.code()), (403, "second_factor_required".to_string()), "{blocked:?}");
    // Ordinary roles are not held up.
    app.demo_login("zuzhi").await.get("/orgs").await.assert_status(200);

    let setup = admin.post_json("/me/totp", &json!({})).await.assert_status(200).json();
    let secret = setup["secret"].as_str().expect("secret").to_string();
    assert!(setup["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/"));
    admin.post_json("/me/totp/confirm", &json!({"code": "000000"})).await.assert_status(422);
    admin.post_json("/me/totp/confirm", &json!({"code": code_for(&secret, 0)})).await.assert_status(204);
    admin.get("/accounts").await.assert_status(200);

    // From now on the password alone is not enough, and the answer does not say which part failed.
    let without = app.try_login("admin", "Demo@2026").await;
    assert_eq!(without.status, 401);
    let wrong = login_with(&app, "admin", "123456").await;
    assert_eq!((wrong.status, wrong.json()["detail"].clone()), (401, without.json()["detail"].clone()));
    // The confirming code was used; the next step's code (clock drift window) works once.
    let next = code_for(&secret, 1);
    login_with(&app, "admin", &next).await.assert_status(200);
    login_with(&app, "admin", &next).await.assert_status(401);

    let rows = app.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'login' AND outcome = 'bad_otp'").await;
    assert!(rows >= 2, "failed codes are audited, got {rows}");
    let plain = app.scalar(&format!("SELECT COUNT(*) FROM accounts WHERE totp_enc LIKE '%{secret}%'")).await;
    let enrolled = app.scalar("SELECT COUNT(*) FROM accounts WHERE username = 'admin' AND totp_enc IS NOT NULL").await;
    assert_eq!((enrolled, plain), (1, 0), "the secret is stored, encrypted");
}
