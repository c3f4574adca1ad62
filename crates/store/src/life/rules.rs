//! 组织生活规则 — the rule rows the obligations engine applies: DOMAIN.md's seeded rules, and the
//! rows an installation adds (stricter, or for a subtree only) without code.

use dangjian_domain::life::obligation::{seeded_rules, ObligationKind, Rule, RuleSet, Source, SourceScope};
use dangjian_domain::org::OrgKind;
use dangjian_domain::period::Frequency;
use dangjian_domain::policy::{Action, Target};
use dangjian_domain::{time, Invalid};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order};
use serde_json::json;

use crate::org::{self, Node};
use crate::query::{self, col, record};
use crate::{audit, Ctx, Result, Store, StoreError};

record! {
    struct RuleRow from "obligation_rules" as "r" {
        id: i64,
        kind: ObligationKind,
        owed_by: String,
        needs_committee: bool,
        frequency: Frequency,
        count: i64,
        preferred_quarter: Option<i64>,
        citation: String,
        replaces_seeded: bool,
        within_org_id: Option<i64>,
        within_path: String,
    }
}

/// A rule as the rules page and the API show it: seeded (id 0) or an installation's row.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RuleView {
    /// 0 for a seeded rule.
    pub id: i64,
    #[schema(value_type = Object)]
    pub rule: Rule,
    /// Replaces the seeded rule of its kind (within its subtree), rather than adding to it.
    pub replaces_seeded: bool,
    /// The organisation whose subtree the rule is narrowed to; none: everywhere.
    pub within_org_id: Option<i64>,
    pub within_org_name: Option<String>,
    #[serde(skip)]
    pub within_path: String,
}

impl RuleView {
    pub fn owed_by_text(&self) -> String {
        self.rule.owed_by.iter().map(|k| k.label()).collect::<Vec<_>>().join("、")
    }
}

/// The rules in force: the seeded ones (each possibly replaced everywhere) and the rows that
/// replace or add within a subtree.
#[derive(Debug, Clone)]
pub struct Rules {
    all: Vec<RuleView>,
}

impl Rules {
    pub fn views(&self) -> &[RuleView] {
        &self.all
    }

    /// The installation's rows that bind an organisation at `path`: organisations with the same
    /// rows are held to the same rules.
    pub fn rows_for(&self, path: &str) -> Vec<i64> {
        self.all.iter().filter(|v| v.id != 0 && path.starts_with(&v.within_path)).map(|v| v.id).collect()
    }

    /// The rules an organisation at `path` is held to: a seeded rule unless a row replaces it
    /// for a subtree holding the organisation (the narrowest wins), plus every row that adds
    /// within such a subtree.
    pub fn for_path(&self, path: &str) -> RuleSet {
        let mut set = RuleSet::seeded();
        let mut replacing: Vec<&RuleView> = self.all.iter().filter(|v| v.id != 0 && v.replaces_seeded && path.starts_with(&v.within_path)).collect();
        replacing.sort_by_key(|v| v.within_path.len());
        for v in replacing {
            // Rows were checked when written; a seeded rule that since became stricter than a
            // row leaves the seeded one in force.
            let _ = set.replace(v.rule.clone());
        }
        for v in self.all.iter().filter(|v| v.id != 0 && !v.replaces_seeded && path.starts_with(&v.within_path)) {
            let _ = set.add(v.rule.clone());
        }
        set
    }
}

fn owed_by_codes(kinds: &[OrgKind]) -> String {
    kinds.iter().map(|k| k.code()).collect::<Vec<_>>().join(",")
}

/// The seeded rules and every row, for the engine and the rules page.
pub async fn load(store: &Store) -> Result<Rules> {
    let rows: Vec<RuleRow> = query::fetch(&store.db, &RuleRow::select().order_by(("r", "id"), Order::Asc).to_owned()).await?;
    let tree = store.tree().await?;
    let mut all: Vec<RuleView> = seeded_rules()
        .into_iter()
        .map(|rule| RuleView { id: 0, rule, replaces_seeded: false, within_org_id: None, within_org_name: None, within_path: String::new() })
        .collect();
    for r in rows {
        let rule = Rule {
            kind: r.kind,
            owed_by: r.owed_by.split(',').filter_map(OrgKind::parse).collect(),
            needs_committee: r.needs_committee,
            frequency: r.frequency,
            count: r.count.clamp(0, i64::from(u32::MAX)) as u32,
            preferred_quarter: r.preferred_quarter.map(|q| q.clamp(0, 4) as u32),
            source: Source { scope: SourceScope::Local, citation: r.citation.into() },
        };
        let within_org_name = r.within_org_id.and_then(|id| tree.get(id)).map(|n| n.name.clone());
        all.push(RuleView { id: r.id, rule, replaces_seeded: r.replaces_seeded, within_org_id: r.within_org_id, within_org_name, within_path: r.within_path });
    }
    Ok(Rules { all })
}

/// A rule row as an officer writes it.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RuleInput {
    /// A meeting kind code, e.g. `democratic_life_meeting`.
    pub kind: String,
    /// Organisation kind codes, e.g. `["leading_group"]`.
    pub owed_by: Vec<String>,
    pub needs_committee: bool,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub frequency: String,
    pub count: u32,
    pub preferred_quarter: Option<u32>,
    /// 依据: the document and article, e.g. `本单位党建工作制度第5条`.
    pub citation: String,
    /// Replace the seeded rule of this kind (a central one only by a stricter one) instead of
    /// adding a rule on top of it.
    pub replaces_seeded: bool,
    /// Narrow the rule to this organisation's subtree; absent: the whole installation (system
    /// administrators only).
    pub within_org_id: Option<i64>,
}

impl RuleInput {
    /// Every problem at once.
    fn validate(&self) -> std::result::Result<Rule, Vec<Invalid>> {
        let mut errors = Vec::new();
        let kind = ObligationKind::parse(&self.kind);
        if kind.is_none() {
            errors.push(Invalid::new("kind", "invalid_kind", format!("会议类别“{}”无法识别", self.kind.chars().take(40).collect::<String>())));
        }
        let mut owed_by = Vec::new();
        for k in &self.owed_by {
            match OrgKind::parse(k) {
                Some(k) if !owed_by.contains(&k) => owed_by.push(k),
                Some(_) => {}
                None => errors.push(Invalid::new("owed_by", "invalid_org_kind", format!("组织类别“{}”无法识别", k.chars().take(40).collect::<String>()))),
            }
        }
        let frequency = Frequency::parse(&self.frequency);
        if frequency.is_none() {
            errors.push(Invalid::new("frequency", "invalid_frequency", "频次应为每月、每季度、每半年或每年"));
        }
        let (Some(kind), Some(frequency)) = (kind, frequency) else { return Err(errors) };
        let rule = Rule {
            kind,
            owed_by,
            needs_committee: self.needs_committee,
            frequency,
            count: self.count,
            preferred_quarter: self.preferred_quarter,
            source: Source { scope: SourceScope::Local, citation: self.citation.trim().to_string().into() },
        };
        if let Err(e) = rule.validate() {
            errors.push(e);
        }
        if let (true, Err(e)) = (self.replaces_seeded, RuleSet::seeded().replace(rule.clone())) {
            errors.push(e);
        }
        if errors.is_empty() {
            Ok(rule)
        } else {
            Err(errors)
        }
    }
}

/// Adds a rule row: for a subtree, by whoever may change that organisation; for the whole
/// installation, by a system administrator.
pub async fn add(store: &Store, ctx: &Ctx, input: &RuleInput) -> Result<RuleView> {
    let within: Option<Node> = match input.within_org_id {
        Some(id) => {
            let o = org::node(store, id).await?;
            store.authorize(ctx, Action::OrgWrite, Target::org(&o.path), &format!("org:{id}")).await?;
            Some(o)
        }
        None if ctx.actor.system => None,
        None => return Err(StoreError::invalid("within_org_id", "required", "请指定规则适用的组织（该组织及其下级组织）")),
    };
    let rule = input.validate().map_err(StoreError::Invalid)?;
    let now = time::now_unix();
    let tenant = within.as_ref().map(|o| o.tenant_id.unwrap_or(o.id)).unwrap_or(0);
    let pairs = vec![
        ("tenant_id", tenant.into()),
        ("kind", rule.kind.into()),
        ("owed_by", owed_by_codes(&rule.owed_by).into()),
        ("needs_committee", rule.needs_committee.into()),
        ("frequency", rule.frequency.into()),
        ("count", i64::from(rule.count).into()),
        ("preferred_quarter", rule.preferred_quarter.map(i64::from).into()),
        ("citation", rule.source.citation.to_string().into()),
        ("replaces_seeded", input.replaces_seeded.into()),
        ("within_org_id", within.as_ref().map(|o| o.id).into()),
        ("within_path", within.as_ref().map(|o| o.path.clone()).unwrap_or_default().into()),
        ("created_by", ctx.actor.account_id.into()),
        ("created_at", now.into()),
    ];
    let txn = store.write().await?;
    let id = query::insert_id(&txn, query::insert("obligation_rules", pairs)).await?;
    audit::record(
        &txn,
        store.crypto.as_ref(),
        ctx,
        "obligation_rule.add",
        &format!("obligation_rule:{id}"),
        "ok",
        json!({"kind": rule.kind, "frequency": rule.frequency, "count": rule.count, "within_org_id": input.within_org_id, "replaces_seeded": input.replaces_seeded}),
    )
    .await?;
    txn.commit().await?;
    Ok(RuleView {
        id,
        rule,
        replaces_seeded: input.replaces_seeded,
        within_org_id: within.as_ref().map(|o| o.id),
        within_org_name: within.as_ref().map(|o| o.name.clone()),
        within_path: within.map(|o| o.path).unwrap_or_default(),
    })
}

/// Removes a rule row (a seeded rule cannot be removed, only replaced).
pub async fn remove(store: &Store, ctx: &Ctx, id: i64) -> Result<()> {
    let row: RuleRow = query::fetch_one(&store.db, &RuleRow::select().and_where(col("r", "id").eq(id)).to_owned()).await?.ok_or(StoreError::NotFound)?;
    match row.within_org_id {
        Some(org_id) => store.authorize(ctx, Action::OrgWrite, Target::org(&row.within_path), &format!("org:{org_id}")).await?,
        None if ctx.actor.system => {}
        None => return Err(StoreError::Forbidden),
    }
    let txn = store.write().await?;
    query::execute(&txn, &query::delete("obligation_rules").and_where(Expr::col(Alias::new("id")).eq(id)).to_owned()).await?;
    audit::record(&txn, store.crypto.as_ref(), ctx, "obligation_rule.remove", &format!("obligation_rule:{id}"), "ok", json!({"kind": row.kind})).await?;
    txn.commit().await?;
    Ok(())
}
