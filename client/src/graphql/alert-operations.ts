// The alerts page's and header badge's operations, typed by codegen (`npm run codegen`).
import { graphql } from './generated';

export const alertRowFragment = graphql(`
  fragment AlertRow on Alert {
    id
    state
    severity
    summary
    value
    fingerprint
    firedAt
    acknowledgedAt
    acknowledgedBy
    resolvedAt
    rule {
      id
      name
      condition
      mutedUntil
    }
    pipeline {
      id
      name
    }
    run {
      id
    }
  }
`);

export const alertsQuery = graphql(`
  query Alerts($states: [AlertState!], $first: Int, $after: String) {
    alerts(states: $states, first: $first, after: $after) {
      edges {
        node {
          ...AlertRow
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const alertChangedSubscription = graphql(`
  subscription AlertChanged($since: String) {
    alertChanged(since: $since) {
      cursor
      alert {
        ...AlertRow
      }
    }
  }
`);

export const acknowledgeAlertMutation = graphql(`
  mutation AcknowledgeAlert($id: ID!, $note: String) {
    acknowledgeAlert(id: $id, note: $note) {
      ...AlertRow
    }
  }
`);

export const alertRulesQuery = graphql(`
  query AlertRules {
    alertRules {
      id
      name
      condition
      severity
      pipelineIds
      tenantId
      threshold
      windowSeconds
      healthStates
      repeatIntervalSeconds
      mutedUntil
      enabled
      createdAt
      createdBy
      channels {
        id
        name
      }
    }
  }
`);

export const createAlertRuleMutation = graphql(`
  mutation CreateAlertRule($input: AlertRuleInput!) {
    createAlertRule(input: $input) {
      id
    }
  }
`);

export const updateAlertRuleMutation = graphql(`
  mutation UpdateAlertRule($id: ID!, $input: AlertRuleInput!) {
    updateAlertRule(id: $id, input: $input) {
      id
    }
  }
`);

export const deleteAlertRuleMutation = graphql(`
  mutation DeleteAlertRule($id: ID!) {
    deleteAlertRule(id: $id)
  }
`);

export const muteAlertRuleMutation = graphql(`
  mutation MuteAlertRule($id: ID!, $until: DateTime) {
    muteAlertRule(id: $id, until: $until) {
      id
      mutedUntil
    }
  }
`);

export const channelsQuery = graphql(`
  query NotificationChannels {
    notificationChannels {
      id
      name
      kind
      target
      tenantId
      enabled
      disabledReason
      createdAt
    }
  }
`);

export const createChannelMutation = graphql(`
  mutation CreateNotificationChannel($input: ChannelInput!) {
    createNotificationChannel(input: $input) {
      signingSecret
      channel {
        id
      }
    }
  }
`);

export const deleteChannelMutation = graphql(`
  mutation DeleteNotificationChannel($id: ID!) {
    deleteNotificationChannel(id: $id)
  }
`);

export const rotateChannelSecretMutation = graphql(`
  mutation RotateChannelSecret($id: ID!) {
    rotateChannelSecret(id: $id) {
      signingSecret
    }
  }
`);

export const testChannelMutation = graphql(`
  mutation TestNotificationChannel($id: ID!) {
    testNotificationChannel(id: $id) {
      id
    }
  }
`);

export const deliveriesQuery = graphql(`
  query Deliveries($channelId: ID, $first: Int, $after: String) {
    deliveries(channelId: $channelId, first: $first, after: $after) {
      edges {
        node {
          id
          event
          status
          attempts
          lastStatusCode
          lastError
          nextAttemptAt
          createdAt
          deliveredAt
          channel {
            id
            name
          }
          alert {
            id
            summary
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const redeliverMutation = graphql(`
  mutation Redeliver($deliveryId: ID!) {
    redeliver(deliveryId: $deliveryId) {
      id
      status
    }
  }
`);

export const alertRulePreviewQuery = graphql(`
  query AlertRulePreview($input: AlertRuleInput!) {
    alertRulePreview(input: $input) {
      pipelineId
      pipelineName
      fingerprint
      summary
    }
  }
`);
