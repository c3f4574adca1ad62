//! 提醒渠道 — the configured ways out besides the bell: SMTP through lettre, and an SMS gateway
//! reached by an HTTP request to a URL template. Nothing configured: in-app only.

use std::time::Duration;

use dangjian_domain::notice::expand_sms_url;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// A send that outlives this is abandoned and retried: it must stay below the claim's lease.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// `[notice]` of the configuration file.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct NoticeSettings {
    /// Remind this many days before an obligation's last day (and of an overdue one for as many
    /// days after it).
    pub days_ahead: u32,
    pub smtp: Option<SmtpSettings>,
    pub sms: Option<SmsSettings>,
}

impl Default for NoticeSettings {
    fn default() -> Self {
        NoticeSettings { days_ahead: 7, smtp: None, sms: None }
    }
}

/// `[notice.smtp]`: an SMTP relay of the intranet, spoken to without TLS (the binary carries
/// no TLS stack); with `user` and `password` it logs in.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    #[serde(default = "default_smtp_port")]
    pub port: u16,
    /// `党建平台 <dangjian@example.org>` or a bare address.
    pub from: String,
    pub user: Option<String>,
    pub password: Option<String>,
}

fn default_smtp_port() -> u16 {
    25
}

/// `[notice.sms]`: the gateway's URL with `{phone}` and `{text}` placeholders, and the secret
/// it expects in a header.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    pub url: String,
    /// `GET` (default) or `POST`; the parameters are in the URL either way.
    #[serde(default = "default_method")]
    pub method: String,
    pub secret: Option<String>,
    #[serde(default = "default_secret_header")]
    pub secret_header: String,
}

fn default_method() -> String {
    "GET".into()
}

fn default_secret_header() -> String {
    "X-Gateway-Secret".into()
}

/// The senders built from the settings, once, at startup.
pub struct Notifier {
    pub days_ahead: u32,
    pub(crate) email: Option<Email>,
    pub(crate) sms: Option<Sms>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier").field("days_ahead", &self.days_ahead).field("email", &self.email.is_some()).field("sms", &self.sms.is_some()).finish()
    }
}

/// In-app only, with the default lead time.
impl Default for Notifier {
    fn default() -> Self {
        Notifier { days_ahead: NoticeSettings::default().days_ahead, email: None, sms: None }
    }
}

impl Notifier {
    /// Checks the settings and builds the senders; a mistake names its key.
    pub fn new(s: &NoticeSettings) -> Result<Notifier, String> {
        if s.days_ahead == 0 || s.days_ahead > 60 {
            return Err(format!("notice.days_ahead（提前提醒天数）应为1至60，现为{}", s.days_ahead));
        }
        let email = s.smtp.as_ref().map(Email::new).transpose()?;
        let sms = s.sms.as_ref().map(Sms::new).transpose()?;
        Ok(Notifier { days_ahead: s.days_ahead, email, sms })
    }

    pub fn has_email(&self) -> bool {
        self.email.is_some()
    }

    pub fn has_sms(&self) -> bool {
        self.sms.is_some()
    }
}

pub(crate) struct Email {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Email {
    fn new(s: &SmtpSettings) -> Result<Email, String> {
        if s.host.trim().is_empty() {
            return Err("notice.smtp.host（邮件服务器地址）不能为空".into());
        }
        let from: Mailbox = s.from.parse().map_err(|e| format!("notice.smtp.from（发件人）“{}”无法识别：{e}", s.from))?;
        let mut b = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(s.host.trim()).port(s.port).timeout(Some(SEND_TIMEOUT));
        match (&s.user, &s.password) {
            (Some(u), Some(p)) => b = b.credentials(Credentials::new(u.clone(), p.clone())),
            (None, None) => {}
            _ => return Err("notice.smtp.user 与 notice.smtp.password（邮件账号与密码）须同时填写或同时不填".into()),
        }
        Ok(Email { transport: b.build(), from })
    }

    pub(crate) async fn send(&self, to: &str, subject: &str, body: &str) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("收件地址无法识别：{e}"))?;
        let msg = Message::builder().from(self.from.clone()).to(to).subject(subject).body(body.to_string()).map_err(|e| format!("邮件无法生成：{e}"))?;
        self.transport.send(msg).await.map(|_| ()).map_err(|e| format!("邮件发送失败：{e}"))
    }
}

pub(crate) struct Sms {
    client: reqwest::Client,
    url: String,
    post: bool,
    secret: Option<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
}

impl Sms {
    fn new(s: &SmsSettings) -> Result<Sms, String> {
        if !s.url.starts_with("http://") {
            return Err(format!("notice.sms.url（短信网关地址）应以 http:// 开头（内网网关），现为“{}”", s.url));
        }
        if !s.url.contains("{phone}") || !s.url.contains("{text}") {
            return Err("notice.sms.url（短信网关地址）须含 {phone} 与 {text} 两个占位符".into());
        }
        let post = match s.method.to_ascii_uppercase().as_str() {
            "GET" => false,
            "POST" => true,
            m => return Err(format!("notice.sms.method（请求方式）应为 GET 或 POST，现为“{m}”")),
        };
        let secret = match &s.secret {
            Some(v) => {
                let name = reqwest::header::HeaderName::from_bytes(s.secret_header.as_bytes()).map_err(|_| format!("notice.sms.secret_header（密钥请求头）“{}”不是合法的请求头名", s.secret_header))?;
                let mut value = reqwest::header::HeaderValue::from_str(v).map_err(|_| "notice.sms.secret（网关密钥）含有不能放入请求头的字符".to_string())?;
                value.set_sensitive(true);
                Some((name, value))
            }
            None => None,
        };
        let client = reqwest::Client::builder().timeout(SEND_TIMEOUT).build().map_err(|e| format!("短信网关客户端无法创建：{e}"))?;
        Ok(Sms { client, url: s.url.clone(), post, secret })
    }

    pub(crate) async fn send(&self, phone: &str, text: &str) -> Result<(), String> {
        let url = expand_sms_url(&self.url, phone, text);
        let mut req = if self.post { self.client.post(url) } else { self.client.get(url) };
        if let Some((name, value)) = &self.secret {
            req = req.header(name.clone(), value.clone());
        }
        // The URL holds the phone number: errors name the status or the kind of failure only.
        match req.send().await {
            Ok(r) if r.status().is_success() => Ok(()),
            Ok(r) => Err(format!("短信网关返回 HTTP {}", r.status().as_u16())),
            Err(e) if e.is_timeout() => Err("短信网关超时".into()),
            Err(e) if e.is_connect() => Err("无法连接短信网关".into()),
            Err(_) => Err("短信网关请求失败".into()),
        }
    }
}
