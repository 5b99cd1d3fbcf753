/**
 * The HTTP API's types, generated from its OpenAPI document (`/openapi.json`) by
 * openapi-typescript. Do not edit: run `pnpm generate:api-types`.
 */

export interface paths {
    "/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a job
         * @description Answers 202 once the job is durably enqueued. Idempotency-Key: same key and body, same job.
         */
        post: {
            parameters: {
                query?: never;
                header?: {
                    "idempotency-key"?: string;
                };
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["SubmitJobInput"];
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Job"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a job; with ?wait=N, wait up to N seconds for it to finish */
        get: {
            parameters: {
                query?: {
                    /** @description Long-poll up to this many seconds. */
                    wait?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Job"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Cancel a queued or running job */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Job"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/providers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Providers with their quota state and queue depth */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            object: "list";
                            data: {
                                id: string;
                                kind: string;
                                tier: string;
                                data_policy: string;
                                /** @enum {string} */
                                health: "healthy" | "unhealthy" | "probing";
                                health_reason: string | null;
                                concurrency: number;
                                models: {
                                    name: string;
                                    context_window: number;
                                }[];
                                limits: {
                                    scope: string;
                                    unit: string;
                                    max: number;
                                    per: number | "month";
                                    used: number;
                                    remaining: number;
                                    reset_ms: number;
                                }[];
                                queue: {
                                    waiting: number;
                                    active: number;
                                    delayed: number;
                                    paused_ms: number;
                                };
                                latency_ms: number;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/chat/completions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** OpenAI-compatible chat completion, run as an interactive job */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["ChatCompletionRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ChatCompletion"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Routes and provider/model pairs, as OpenAI models */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            object: "list";
                            data: {
                                id: string;
                                /** @enum {string} */
                                object: "model";
                                created: number;
                                owned_by: string;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's spend, tokens and savings per provider, route or day, and its budgets */
        get: {
            parameters: {
                query?: {
                    /** @description First UTC day, included (default: the first of this month) */
                    from?: string;
                    /** @description Last UTC day, included (default: today) */
                    to?: string;
                    group_by?: "provider" | "route" | "day";
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            object: "usage";
                            from: string;
                            to: string;
                            /** @enum {string} */
                            group_by: "provider" | "route" | "day";
                            total: {
                                cost_usd: number;
                                input_tokens: number;
                                output_tokens: number;
                                requests: number;
                                savings_usd: number;
                            };
                            data: {
                                cost_usd: number;
                                input_tokens: number;
                                output_tokens: number;
                                requests: number;
                                savings_usd: number;
                                key: string;
                            }[];
                            budgets: {
                                scope: "overall" | {
                                    tenant: string;
                                };
                                usd: number;
                                /** @enum {string} */
                                per: "day" | "month";
                                period_start: string;
                                spent_usd: number;
                                remaining_usd: number;
                            }[];
                        };
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List files */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            object: "list";
                            data: components["schemas"]["File"][];
                            first_id: string | null;
                            last_id: string | null;
                            has_more: boolean;
                        };
                    };
                };
            };
        };
        put?: never;
        /** Upload a JSONL batch input file (multipart: purpose=batch, file) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["File"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a file */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["File"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/{id}/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Download a file (JSONL), including batch output and error files */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/batches": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List batches, newest first */
        get: {
            parameters: {
                query?: {
                    after?: string;
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @enum {string} */
                            object: "list";
                            data: components["schemas"]["Batch"][];
                            first_id: string | null;
                            last_id: string | null;
                            has_more: boolean;
                        };
                    };
                };
            };
        };
        put?: never;
        /** Create a batch (OpenAI Batch API), from an uploaded file or inline requests */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["CreateBatchInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Batch"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/batches/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Get a batch */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Batch"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/batches/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a batch */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Batch"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        ErrorInput: {
            error: {
                /** @description Stable, machine-readable: switch on this. */
                code: string;
                message: string;
                details?: unknown;
            };
        };
        CreateBatchInput: {
            input_file_id?: string;
            requests?: unknown[];
            /** @enum {string} */
            endpoint: "/v1/chat/completions";
            /** @enum {string} */
            completion_window: "24h";
            metadata?: {
                [key: string]: string;
            } | null;
            route?: string;
            deadline?: string;
            callback_url?: string;
        };
        BatchInput: {
            id: string;
            /** @enum {string} */
            object: "batch";
            endpoint: string;
            errors: unknown;
            input_file_id: string;
            completion_window: string;
            /** @enum {string} */
            status: "validating" | "failed" | "in_progress" | "finalizing" | "completed" | "expired" | "cancelling" | "cancelled";
            output_file_id: string | null;
            error_file_id: string | null;
            created_at: number;
            in_progress_at: number | null;
            expires_at: number | null;
            finalizing_at: number | null;
            completed_at: number | null;
            failed_at: number | null;
            expired_at: number | null;
            cancelling_at: number | null;
            cancelled_at: number | null;
            request_counts: {
                total: number;
                completed: number;
                failed: number;
            };
            metadata: {
                [key: string]: string;
            } | null;
            route: string | null;
            deadline: number | null;
            callback_url: string | null;
        };
        FileInput: {
            id: string;
            /** @enum {string} */
            object: "file";
            bytes: number;
            created_at: number;
            filename: string;
            /** @enum {string} */
            purpose: "batch" | "batch_output";
            /** @enum {string} */
            status: "processed";
        };
        SubmitJobInput: {
            /** @description A route name from the configuration. */
            route?: string;
            /** @description A route name, or provider/model. */
            model?: string;
            messages?: {
                /** @enum {string} */
                role: "system" | "user" | "assistant";
                content: string;
            }[];
            prompt?: string;
            system?: string;
            max_tokens?: number;
            temperature?: number;
            top_p?: number;
            stop?: string | string[];
            /**
             * @description Default public.
             * @enum {string}
             */
            sensitivity?: "public" | "internal" | "confidential";
            /** @description RFC 3339 time or a duration: "90s", "6h". */
            deadline?: string;
            /**
             * @description Default interactive.
             * @enum {string}
             */
            priority?: "interactive" | "batch";
            callback_url?: string;
            metadata?: {
                [key: string]: unknown;
            };
        };
        JobInput: {
            id: string;
            /** @enum {string} */
            object: "job";
            /** @enum {string} */
            status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
            route: string;
            /** @enum {string} */
            priority: "interactive" | "batch";
            /** @enum {string} */
            sensitivity: "public" | "internal" | "confidential";
            deadline: string;
            result?: {
                content: string;
                finish_reason: string;
                provider: string;
                model: string;
                usage: {
                    input_tokens: number;
                    output_tokens: number;
                };
                cost_usd: number;
                latency_ms: number;
            };
            error?: {
                code: string;
                message: string;
            };
            attempts: {
                provider: string;
                model: string;
                /** @enum {string} */
                outcome: "succeeded" | "skipped" | "rate_limited" | "quota_exhausted" | "server_error" | "timeout" | "network_error" | "connection_failed" | "bad_response" | "context_length_exceeded" | "authentication_failed" | "content_filtered" | "invalid_request" | "stream_interrupted" | "quota_never_fits" | "quota_wait_exceeds_deadline" | "deadline_unreachable";
                error?: {
                    code: string;
                    message: string;
                };
                started_at: string;
                finished_at: string;
                latency_ms: number;
            }[];
            callback_url?: string;
            deliveries?: {
                [key: string]: unknown;
            }[];
            batch_id?: string;
            custom_id?: string;
            personal_data?: ("email" | "phone" | "card" | "iban")[];
            metadata?: {
                [key: string]: unknown;
            };
            created_at: string;
            completed_at?: string;
        };
        ChatCompletionRequestInput: {
            /** @description A route name, or provider/model. */
            model: string;
            messages: {
                /** @enum {string} */
                role: "system" | "developer" | "user" | "assistant";
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
                name?: string;
            }[];
            max_tokens?: number | null;
            max_completion_tokens?: number | null;
            temperature?: number | null;
            top_p?: number | null;
            stop?: (string | string[]) | null;
            /**
             * @description Only 1.
             * @enum {number|null}
             */
            n?: 1 | null;
            stream?: boolean | null;
            stream_options?: {
                include_usage?: boolean;
            } | null;
            tools?: unknown[];
            metadata?: {
                [key: string]: string;
            } | null;
            /**
             * @description Switchyard extension.
             * @enum {string}
             */
            sensitivity?: "public" | "internal" | "confidential";
            /** @description Switchyard extension: RFC 3339 or "90s". */
            deadline?: string;
        };
        ChatCompletionInput: {
            id: string;
            /** @enum {string} */
            object: "chat.completion";
            created: number;
            model: string;
            choices: {
                index: number;
                message: {
                    /** @enum {string} */
                    role: "assistant";
                    content: string;
                    /** @enum {string|null} */
                    refusal: null;
                };
                finish_reason: string;
                /** @enum {string|null} */
                logprobs: null;
            }[];
            usage: {
                prompt_tokens: number;
                completion_tokens: number;
                total_tokens: number;
            };
        };
        Error: {
            error: {
                /** @description Stable, machine-readable: switch on this. */
                code: string;
                message: string;
                details?: unknown;
            };
        };
        CreateBatch: {
            input_file_id?: string;
            requests?: unknown[];
            /** @enum {string} */
            endpoint: "/v1/chat/completions";
            /** @enum {string} */
            completion_window: "24h";
            metadata?: {
                [key: string]: string;
            } | null;
            route?: string;
            deadline?: string;
            callback_url?: string;
        };
        Batch: {
            id: string;
            /** @enum {string} */
            object: "batch";
            endpoint: string;
            errors: unknown;
            input_file_id: string;
            completion_window: string;
            /** @enum {string} */
            status: "validating" | "failed" | "in_progress" | "finalizing" | "completed" | "expired" | "cancelling" | "cancelled";
            output_file_id: string | null;
            error_file_id: string | null;
            created_at: number;
            in_progress_at: number | null;
            expires_at: number | null;
            finalizing_at: number | null;
            completed_at: number | null;
            failed_at: number | null;
            expired_at: number | null;
            cancelling_at: number | null;
            cancelled_at: number | null;
            request_counts: {
                total: number;
                completed: number;
                failed: number;
            };
            metadata: {
                [key: string]: string;
            } | null;
            route: string | null;
            deadline: number | null;
            callback_url: string | null;
        };
        File: {
            id: string;
            /** @enum {string} */
            object: "file";
            bytes: number;
            created_at: number;
            filename: string;
            /** @enum {string} */
            purpose: "batch" | "batch_output";
            /** @enum {string} */
            status: "processed";
        };
        SubmitJob: {
            /** @description A route name from the configuration. */
            route?: string;
            /** @description A route name, or provider/model. */
            model?: string;
            messages?: {
                /** @enum {string} */
                role: "system" | "user" | "assistant";
                content: string;
            }[];
            prompt?: string;
            system?: string;
            max_tokens?: number;
            temperature?: number;
            top_p?: number;
            stop?: string | string[];
            /**
             * @description Default public.
             * @enum {string}
             */
            sensitivity?: "public" | "internal" | "confidential";
            /** @description RFC 3339 time or a duration: "90s", "6h". */
            deadline?: string;
            /**
             * @description Default interactive.
             * @enum {string}
             */
            priority?: "interactive" | "batch";
            callback_url?: string;
            metadata?: {
                [key: string]: unknown;
            };
        };
        Job: {
            id: string;
            /** @enum {string} */
            object: "job";
            /** @enum {string} */
            status: "queued" | "running" | "succeeded" | "failed" | "cancelled";
            route: string;
            /** @enum {string} */
            priority: "interactive" | "batch";
            /** @enum {string} */
            sensitivity: "public" | "internal" | "confidential";
            deadline: string;
            result?: {
                content: string;
                finish_reason: string;
                provider: string;
                model: string;
                usage: {
                    input_tokens: number;
                    output_tokens: number;
                };
                cost_usd: number;
                latency_ms: number;
            };
            error?: {
                code: string;
                message: string;
            };
            attempts: {
                provider: string;
                model: string;
                /** @enum {string} */
                outcome: "succeeded" | "skipped" | "rate_limited" | "quota_exhausted" | "server_error" | "timeout" | "network_error" | "connection_failed" | "bad_response" | "context_length_exceeded" | "authentication_failed" | "content_filtered" | "invalid_request" | "stream_interrupted" | "quota_never_fits" | "quota_wait_exceeds_deadline" | "deadline_unreachable";
                error?: {
                    code: string;
                    message: string;
                };
                started_at: string;
                finished_at: string;
                latency_ms: number;
            }[];
            callback_url?: string;
            deliveries?: {
                [key: string]: unknown;
            }[];
            batch_id?: string;
            custom_id?: string;
            personal_data?: ("email" | "phone" | "card" | "iban")[];
            metadata?: {
                [key: string]: unknown;
            };
            created_at: string;
            completed_at?: string;
        };
        ChatCompletionRequest: {
            /** @description A route name, or provider/model. */
            model: string;
            messages: {
                /** @enum {string} */
                role: "system" | "developer" | "user" | "assistant";
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
                name?: string;
            }[];
            max_tokens?: number | null;
            max_completion_tokens?: number | null;
            temperature?: number | null;
            top_p?: number | null;
            stop?: (string | string[]) | null;
            /**
             * @description Only 1.
             * @enum {number|null}
             */
            n?: 1 | null;
            stream?: boolean | null;
            stream_options?: {
                include_usage?: boolean;
            } | null;
            tools?: unknown[];
            metadata?: {
                [key: string]: string;
            } | null;
            /**
             * @description Switchyard extension.
             * @enum {string}
             */
            sensitivity?: "public" | "internal" | "confidential";
            /** @description Switchyard extension: RFC 3339 or "90s". */
            deadline?: string;
        };
        ChatCompletion: {
            id: string;
            /** @enum {string} */
            object: "chat.completion";
            created: number;
            model: string;
            choices: {
                index: number;
                message: {
                    /** @enum {string} */
                    role: "assistant";
                    content: string;
                    /** @enum {string|null} */
                    refusal: null;
                };
                finish_reason: string;
                /** @enum {string|null} */
                logprobs: null;
            }[];
            usage: {
                prompt_tokens: number;
                completion_tokens: number;
                total_tokens: number;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
