//! The CloudFormation template (`deploy/minijira.yaml`) stands up the table that
//! `minijira schema-load` creates: the test creates one with the same code on DynamoDB Local,
//! describes it, and compares it with the template's field by field.

use crate::common::*;
use aws_sdk_dynamodb::types::{KeySchemaElement, Projection};
use serde_yaml::Value;
use std::collections::BTreeMap;

/// An index: its key (attribute, HASH/RANGE), projection type and non-key attributes.
type Index = (Vec<(String, String)>, String, Vec<String>);

/// What makes two tables the same table for minijira.
#[derive(Debug, PartialEq)]
struct Shape {
    billing: String,
    attributes: BTreeMap<String, String>,
    key: Vec<(String, String)>,
    global: BTreeMap<String, Index>,
    local: BTreeMap<String, Index>,
    stream: Option<String>,
    ttl: Option<String>,
}

fn template() -> Value {
    let text = std::fs::read_to_string("deploy/minijira.yaml").expect("deploy/minijira.yaml");
    serde_yaml::from_str(&text).expect("the template is YAML")
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => panic!("expected a plain value, found {other:?}"),
    }
}

fn list<'a>(v: &'a Value, field: &str) -> &'a [Value] {
    v.get(field)
        .and_then(Value::as_sequence)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

fn yaml_key(schema: &[Value]) -> Vec<(String, String)> {
    schema
        .iter()
        .map(|k| (text(&k["AttributeName"]), text(&k["KeyType"])))
        .collect()
}

fn yaml_indexes(props: &Value, field: &str) -> BTreeMap<String, Index> {
    list(props, field)
        .iter()
        .map(|i| {
            let p = &i["Projection"];
            (
                text(&i["IndexName"]),
                (
                    yaml_key(list(i, "KeySchema")),
                    text(&p["ProjectionType"]),
                    list(p, "NonKeyAttributes").iter().map(text).collect(),
                ),
            )
        })
        .collect()
}

fn template_shape(table: &Value) -> Shape {
    let props = &table["Properties"];
    let ttl = &props["TimeToLiveSpecification"];
    Shape {
        billing: text(&props["BillingMode"]),
        attributes: list(props, "AttributeDefinitions")
            .iter()
            .map(|a| (text(&a["AttributeName"]), text(&a["AttributeType"])))
            .collect(),
        key: yaml_key(list(props, "KeySchema")),
        global: yaml_indexes(props, "GlobalSecondaryIndexes"),
        local: yaml_indexes(props, "LocalSecondaryIndexes"),
        stream: props
            .get("StreamSpecification")
            .map(|s| text(&s["StreamViewType"])),
        ttl: (ttl.get("Enabled") == Some(&Value::Bool(true))).then(|| text(&ttl["AttributeName"])),
    }
}

fn sdk_key(schema: &[KeySchemaElement]) -> Vec<(String, String)> {
    schema
        .iter()
        .map(|k| {
            (
                k.attribute_name().to_owned(),
                k.key_type().as_str().to_owned(),
            )
        })
        .collect()
}

/// A described index (global or local) as (name, its key, projection type, non-key attributes).
fn sdk_index(
    name: Option<&str>,
    key: &[KeySchemaElement],
    projection: Option<&Projection>,
) -> (String, Index) {
    let p = projection.expect("an index has a projection");
    let kind = p
        .projection_type()
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    (
        name.unwrap_or_default().to_owned(),
        (sdk_key(key), kind, p.non_key_attributes().to_vec()),
    )
}

async fn created_shape() -> Shape {
    // A fresh table made by the code behind `minijira schema-load`.
    let store = store().await;
    let table = minijira::db::schema::describe(&store)
        .await
        .expect("DescribeTable")
        .expect("the table exists");
    let ttl = store
        .client()
        .describe_time_to_live()
        .table_name(store.table())
        .send()
        .await
        .expect("DescribeTimeToLive");
    let ttl = ttl.time_to_live_description().and_then(|d| {
        matches!(
            d.time_to_live_status().map(|s| s.as_str()),
            Some("ENABLED" | "ENABLING")
        )
        .then(|| d.attribute_name().unwrap_or_default().to_owned())
    });
    Shape {
        // DynamoDB Local may leave the summary out of its answer: the code asks for on-demand.
        billing: table
            .billing_mode_summary()
            .and_then(|b| b.billing_mode())
            .map(|m| m.as_str().to_owned())
            .unwrap_or_else(|| "PAY_PER_REQUEST".into()),
        attributes: table
            .attribute_definitions()
            .iter()
            .map(|a| {
                (
                    a.attribute_name().to_owned(),
                    a.attribute_type().as_str().to_owned(),
                )
            })
            .collect(),
        key: sdk_key(table.key_schema()),
        global: table
            .global_secondary_indexes()
            .iter()
            .map(|i| sdk_index(i.index_name(), i.key_schema(), i.projection()))
            .collect(),
        local: table
            .local_secondary_indexes()
            .iter()
            .map(|i| sdk_index(i.index_name(), i.key_schema(), i.projection()))
            .collect(),
        stream: table
            .stream_specification()
            .filter(|s| s.stream_enabled())
            .and_then(|s| s.stream_view_type())
            .map(|v| v.as_str().to_owned()),
        ttl,
    }
}

#[tokio::test]
async fn the_templates_table_is_the_table_schema_load_creates() {
    let template = template();
    let table = &template["Resources"]["Table"];
    assert_eq!(text(&table["Type"]), "AWS::DynamoDB::Table");
    let expected = created_shape().await;
    assert_eq!(expected.global.len(), 3, "three global indexes");
    assert_eq!(template_shape(table), expected);
    // What the issue asks of the table beyond its shape.
    let props = &table["Properties"];
    assert_eq!(
        props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        Value::Bool(true)
    );
    assert_eq!(props["DeletionProtectionEnabled"], Value::Bool(true));
    assert_eq!(text(&table["DeletionPolicy"]), "Retain");
}

/// The app's role may use only the DynamoDB actions the app makes (no Scan, no table admin),
/// and the service runs at least two tasks.
#[test]
fn the_template_grants_least_privilege_and_runs_two_tasks() {
    let template = template();
    let resources = &template["Resources"];
    let policies = list(&resources["TaskRole"]["Properties"], "Policies");
    let actions: Vec<String> = policies
        .iter()
        .flat_map(|p| list(&p["PolicyDocument"], "Statement"))
        .flat_map(|s| match &s["Action"] {
            Value::Sequence(a) => a.iter().map(text).collect::<Vec<_>>(),
            one => vec![text(one)],
        })
        .collect();
    for a in &actions {
        assert!(!a.contains('*'), "no wildcard action: {a}");
        assert!(
            ![
                "dynamodb:Scan",
                "dynamodb:DeleteTable",
                "dynamodb:CreateTable"
            ]
            .contains(&a.as_str()),
            "{a} is not needed by the app"
        );
    }
    assert!(actions.contains(&"ses:SendEmail".to_owned()));
    let count = &template["Parameters"]["TaskCount"];
    assert!(count["MinValue"].as_u64() >= Some(2) && count["Default"].as_u64() >= Some(2));
    assert_eq!(
        text(&resources["TargetGroup"]["Properties"]["HealthCheckPath"]),
        "/healthz"
    );
}
