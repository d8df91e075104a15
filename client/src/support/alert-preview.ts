// "Would fire now for: …" for a rule being written, from the pipelines' health as the API reports it. Only the
// conditions health answers exactly are previewed; the others are judged by the server once the rule is saved.

export interface PreviewPipeline {
  id: string;
  name: string;
  health: { status: string; reason: string; deadLetters: number; errorRate24h?: number | null };
}

export interface PreviewRule {
  condition: string;
  pipelineIds: string[];
  threshold: number | null;
  windowSeconds: number | null;
  healthStates: string[];
}

/** The names of the pipelines the rule would fire for now, or null when this condition cannot be previewed here. */
export function wouldFireFor(rule: PreviewRule, pipelines: readonly PreviewPipeline[]): string[] | null {
  const covered = rule.pipelineIds.length ? pipelines.filter((p) => rule.pipelineIds.includes(p.id)) : pipelines;
  const names = (matching: (p: PreviewPipeline) => boolean) => covered.filter(matching).map((p) => p.name);
  switch (rule.condition) {
    case 'PIPELINE_HEALTH':
      return names((p) => rule.healthStates.includes(p.health.status));
    case 'DEAD_LETTERS':
      return rule.threshold === null ? [] : names((p) => p.health.deadLetters >= (rule.threshold ?? 0));
    case 'ERROR_RATE':
      // Health measures the last 24 hours: exact for that window only.
      if (rule.windowSeconds !== 86_400 || rule.threshold === null) return null;
      return names((p) => (p.health.errorRate24h ?? 0) >= (rule.threshold ?? 1));
    default:
      return null;
  }
}
