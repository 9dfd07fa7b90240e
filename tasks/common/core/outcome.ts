/**
 * What a task's core returns; the pipeline layer maps it to the task result and output variables.
 */
export type TaskResultKind = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Cancelled';

export interface TaskOutcome {
  result: TaskResultKind;
  message: string;
  /** Output variables (name -> value); secret values are marked by `secretOutputs`. */
  outputs?: Record<string, string>;
  secretOutputs?: string[];
  /**
   * Plain job variables (`$(name)` in the job's later steps), for names a task this one replaces
   * set that way.
   */
  jobVariables?: Record<string, string>;
  /** Markdown for the run's summary page. */
  summary?: string;
  /**
   * Files attached to the run (e.g. a full build log); the pipeline layer writes and publishes
   * them.
   */
  attachments?: Attachment[];
}

export interface Attachment {
  /** Attachment type, e.g. `BuildImage.log`. */
  type: string;
  /** File name, e.g. `customization-<template>.log`. */
  name: string;
  content: string;
}
