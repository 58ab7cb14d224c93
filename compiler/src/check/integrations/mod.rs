//! Task resources that name a Step Functions integration
//! (`arn:PARTITION:states:::SERVICE:ACTION[.PATTERN]`) must name one that
//! exists, with a pattern it supports, as AWS checks at create time.
//!
//! Two lists: the optimised integrations below, from AWS's "Optimized
//! integrations for Step Functions" pages (each service's table of APIs and
//! the patterns they support), and the SDK integrations
//! (`aws-sdk:SERVICE:ACTION`) in `sdk-operations.txt`, generated from
//! botocore's service models by `sdk-operations.py`. SDK integrations
//! support the request-response and `.waitForTaskToken` patterns, never
//! `.sync`. Activities, Lambda function ARNs and anything else outside
//! `states:::` are not integrations and are left alone.

use crate::diagnostics::{codes, Diagnostic};
use crate::model::read::child;
use crate::model::{Body, Container};
use std::collections::HashMap;
use std::sync::OnceLock;

/// How a call waits: `Resource` ends in nothing, `.sync`, `.sync:2` or
/// `.waitForTaskToken`.
#[derive(Clone, Copy, PartialEq)]
enum Pattern {
    Response,
    Sync,
    Sync2,
    Callback,
}

const R: &[Pattern] = &[Pattern::Response];
const RS: &[Pattern] = &[Pattern::Response, Pattern::Sync];
const RC: &[Pattern] = &[Pattern::Response, Pattern::Callback];
const RSC: &[Pattern] = &[Pattern::Response, Pattern::Sync, Pattern::Callback];

/// The optimised integrations: service, action, supported patterns.
const OPTIMISED: &[(&str, &str, &[Pattern])] = &[
    ("apigateway", "invoke", RC),
    ("athena", "startQueryExecution", RS),
    ("athena", "stopQueryExecution", R),
    ("athena", "getQueryExecution", R),
    ("athena", "getQueryResults", R),
    ("batch", "submitJob", RS),
    ("bedrock", "invokeModel", R),
    ("bedrock", "createModelCustomizationJob", RSC),
    ("codebuild", "startBuild", RS),
    ("codebuild", "stopBuild", R),
    ("codebuild", "batchDeleteBuilds", R),
    ("codebuild", "batchGetReports", R),
    ("codebuild", "startBuildBatch", RS),
    ("codebuild", "stopBuildBatch", R),
    ("codebuild", "retryBuildBatch", RS),
    ("codebuild", "deleteBuildBatch", R),
    ("dynamodb", "getItem", R),
    ("dynamodb", "putItem", R),
    ("dynamodb", "updateItem", R),
    ("dynamodb", "deleteItem", R),
    ("ecs", "runTask", RSC),
    ("eks", "createCluster", RS),
    ("eks", "deleteCluster", RS),
    ("eks", "createFargateProfile", RS),
    ("eks", "deleteFargateProfile", RS),
    ("eks", "createNodegroup", RS),
    ("eks", "deleteNodegroup", RS),
    ("eks", "runJob", RS),
    ("eks", "call", R),
    ("elasticmapreduce", "createCluster", RS),
    ("elasticmapreduce", "terminateCluster", RS),
    ("elasticmapreduce", "addStep", RS),
    ("elasticmapreduce", "cancelStep", R),
    ("elasticmapreduce", "setClusterTerminationProtection", R),
    ("elasticmapreduce", "modifyInstanceFleetByName", R),
    ("elasticmapreduce", "modifyInstanceGroupByName", R),
    ("emr-containers", "startJobRun", RS),
    ("emr-containers", "createVirtualCluster", R),
    ("emr-containers", "deleteVirtualCluster", RS),
    ("emr-serverless", "createApplication", RS),
    ("emr-serverless", "startApplication", RS),
    ("emr-serverless", "stopApplication", RS),
    ("emr-serverless", "deleteApplication", RS),
    ("emr-serverless", "startJobRun", RS),
    ("emr-serverless", "cancelJobRun", RS),
    ("events", "putEvents", RC),
    ("glue", "startJobRun", RS),
    ("databrew", "startJobRun", RS),
    ("http", "invoke", R),
    ("lambda", "invoke", RC),
    ("mediaconvert", "createJob", RS),
    ("sagemaker", "createEndpoint", R),
    ("sagemaker", "createEndpointConfig", R),
    ("sagemaker", "createHyperParameterTuningJob", RS),
    ("sagemaker", "createLabelingJob", RS),
    ("sagemaker", "createModel", R),
    ("sagemaker", "createProcessingJob", RS),
    ("sagemaker", "createTrainingJob", RS),
    ("sagemaker", "createTransformJob", RS),
    ("sagemaker", "updateEndpoint", R),
    ("sns", "publish", RC),
    ("sqs", "sendMessage", RC),
    ("states", "startExecution", &[Pattern::Response, Pattern::Sync, Pattern::Sync2, Pattern::Callback]),
];

/// SDK service name → its operations, as the models spell them (`GetItem`).
fn sdk_services() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static SERVICES: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    SERVICES.get_or_init(|| {
        include_str!("sdk-operations.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut words = l.split(' ');
                Some((words.next()?, words.collect()))
            })
            .collect()
    })
}

/// Whether `resource` names an integration that exists; `None` when it is
/// not an integration ARN at all.
fn known(resource: &str) -> Option<bool> {
    // A `${…}` placeholder (a template's substitution) can stand anywhere.
    if resource.contains("${") {
        return None;
    }
    let rest = resource.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("states:::")?;
    let (service, call) = rest.split_once(':')?;
    let (sdk_service, call) = match service {
        "aws-sdk" => {
            let (svc, call) = call.split_once(':').unwrap_or((call, ""));
            (Some(svc), call)
        }
        _ => (None, call),
    };
    let (action, pattern) = match call.split_once('.') {
        None => (call, Pattern::Response),
        Some((action, "sync")) => (action, Pattern::Sync),
        Some((action, "sync:2")) => (action, Pattern::Sync2),
        Some((action, "waitForTaskToken")) => (action, Pattern::Callback),
        Some(_) => return Some(false),
    };
    Some(match sdk_service {
        Some(svc) => {
            let mut op = action.chars();
            let exists = op.next().is_some_and(|first| {
                first.is_ascii_lowercase()
                    && sdk_services().get(svc).is_some_and(|ops| {
                        ops.iter().any(|o| o.get(1..) == Some(op.as_str()) && o.starts_with(first.to_ascii_uppercase()))
                    })
            });
            exists && matches!(pattern, Pattern::Response | Pattern::Callback)
        }
        None => OPTIMISED.iter().any(|(s, a, patterns)| *s == service && *a == action && patterns.contains(&pattern)),
    })
}

pub fn check(c: &Container, diags: &mut Vec<Diagnostic>) {
    for s in c.states.values() {
        if let Body::Task(t) = &s.body {
            if known(&t.resource) == Some(false) {
                diags.push(Diagnostic::error(
                    codes::SCHEMA_VALIDATION_FAILED,
                    format!(
                        "The resource provided {} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.",
                        t.resource
                    ),
                    Some(child(&s.pointer, "Resource")),
                ));
            }
        }
    }
    for inner in c.children() {
        check(inner, diags);
    }
}

#[cfg(test)]
mod tests {
    use super::known;

    #[test]
    fn optimised_actions_and_their_patterns() {
        assert_eq!(known("arn:aws:states:::lambda:invoke"), Some(true));
        assert_eq!(known("arn:aws:states:::lambda:invoke.waitForTaskToken"), Some(true));
        assert_eq!(known("arn:aws:states:::lambda:invoke.sync"), Some(false));
        assert_eq!(known("arn:aws:states:::dynamodb:notAnAction"), Some(false));
        assert_eq!(known("arn:aws:states:::dynamodb:query"), Some(false));
        assert_eq!(known("arn:aws:states:::states:startExecution.sync:2"), Some(true));
        assert_eq!(known("arn:aws:states:::sqs:sendMessage.sync:2"), Some(false));
        assert_eq!(known("arn:aws-us-gov:states:::glue:startJobRun.sync"), Some(true));
        assert_eq!(known("arn:aws:states:::nosuchservice:doIt"), Some(false));
        assert_eq!(known("arn:aws:states:::lambda:invoke.later"), Some(false));
    }

    #[test]
    fn sdk_actions_come_from_the_service_models() {
        assert_eq!(known("arn:aws:states:::aws-sdk:dynamodb:query"), Some(true));
        assert_eq!(known("arn:aws:states:::aws-sdk:s3:listObjectsV2"), Some(true));
        assert_eq!(known("arn:aws:states:::aws-sdk:sfn:startExecution.waitForTaskToken"), Some(true));
        assert_eq!(known("arn:aws:states:::aws-sdk:elasticloadbalancingv2:describeLoadBalancers"), Some(true));
        assert_eq!(known("arn:aws:states:::aws-sdk:s3:GetObject"), Some(false));
        assert_eq!(known("arn:aws:states:::aws-sdk:s3:getObject.sync"), Some(false));
        assert_eq!(known("arn:aws:states:::aws-sdk:dynamodb:notAnAction"), Some(false));
        assert_eq!(known("arn:aws:states:::aws-sdk:stepfunctions:startExecution"), Some(false));
        assert_eq!(known("arn:aws:states:::aws-sdk:apigatewaymanagementapi:postToConnection"), Some(false));
        assert_eq!(known("arn:aws:states:::aws-sdk:s3"), Some(false));
    }

    #[test]
    fn other_resources_are_not_integrations() {
        assert_eq!(known("arn:aws:lambda:us-east-1:123456789012:function:f"), None);
        assert_eq!(known("arn:aws:states:us-east-1:123456789012:activity:a"), None);
        assert_eq!(known("arn:${AWS::Partition}:states:::lambda:invoke"), None);
        assert_eq!(known("arn:aws:states:::${Service}:go"), None);
    }
}
