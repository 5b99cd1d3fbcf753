/**
 * The HTTP API's types, generated from its OpenAPI document (`/openapi.json`) by
 * openapi-typescript. Do not edit: run `pnpm generate:api-types`.
 */

export interface paths {
    "/v1/providers/{id}/exhausted": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Put a provider whose caps or credits were spent back into route plans (admin key) */
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
                        "application/json": {
                            id: string;
                            cleared: number;
                        };
                    };
                };
                /** @description Default Response */
                401: {
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
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
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
         * @description Answers 202 once the job is durably enqueued; with ?wait=N, 200 with the finished job if it ends within N seconds. Idempotency-Key: same key and body, same job.
         */
        post: {
            parameters: {
                query?: {
                    /** @description Wait up to this many seconds for the job to finish: 200 with the finished job, else 202. A waiting client gets the synchronous fast path. */
                    wait?: number;
                };
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
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Job"];
                    };
                };
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
                                    limit: number;
                                    effective_limit: number;
                                    per: number | "day" | "month";
                                    time_zone: string | null;
                                    /** @description ISO 8601 */
                                    resets_at: string | null;
                                    used: number;
                                    remaining: number;
                                    reset_ms: number;
                                }[];
                                tightened: {
                                    factor: number;
                                    reason: string;
                                    /** @description ISO 8601 */
                                    until: string;
                                } | null;
                                /** @description A key pool (apiKeys): each key with the counters of its quota group (keys of one group show the same ones) and the group's backoff; empty for a provider with one key. `limits` above add up every group */
                                keys: {
                                    /** @description The first 8 hex digits of the key's SHA-256; never the key */
                                    fingerprint: string;
                                    quota_group: string;
                                    limits: {
                                        scope: string;
                                        unit: string;
                                        effective_limit: number;
                                        used: number;
                                        remaining: number;
                                        reset_ms: number;
                                    }[];
                                    tightened: {
                                        factor: number;
                                        until: string;
                                    } | null;
                                    backoff: {
                                        until: string;
                                        refusals: number;
                                    } | null;
                                }[];
                                queue: {
                                    waiting: number;
                                    active: number;
                                    delayed: number;
                                    paused_ms: number;
                                };
                                latency_ms: number | null;
                                /** @description While the provider keeps refusing (429) calls our quota admitted: planned after every other target until `until` (1 s, 2 s, 4 s ... per round of `refusals`, at most 5 min); null once it answers */
                                backoff: {
                                    until: string;
                                    refusals: number;
                                } | null;
                                /** @description Caps the provider said are spent (quota_exhausted): the provider (model null) or that model is out of route plans until reset_at; credits until the configuration changes or DELETE /v1/providers/{id}/exhausted */
                                exhausted: {
                                    /** @enum {string} */
                                    scope: "day" | "month" | "credits";
                                    model: string | null;
                                    reset_at: string | null;
                                }[];
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
        /**
         * OpenAI-compatible chat completion, run as an interactive job
         * @description Tools, images, response formats and sampling fields are carried to the provider; a field that would change the answer and is not supported is refused as unsupported_parameter (see docs/api.md).
         */
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
        /** The caller's spend, tokens and savings per provider, route or day, its budgets, and its limits */
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
                            limits: {
                                storage_bytes: {
                                    used: number;
                                    limit: number;
                                };
                                queued_jobs: {
                                    used: number;
                                    limit: number;
                                };
                                streams: {
                                    used: number;
                                    limit: number;
                                };
                                requests_per_second: {
                                    limit: number;
                                };
                            };
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
    "/v1/messages": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Anthropic's Messages API, run as an interactive job */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": components["schemas"]["AnthropicMessagesRequestInput"];
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AnthropicMessage"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AnthropicError"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AnthropicError"];
                    };
                };
                /** @description Default Response */
                422: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["AnthropicError"];
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
        ChatCompletionRequestInput: {
            messages: ({
                /** @enum {string} */
                role: "system" | "developer";
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
                name?: string;
            } | {
                /** @enum {string} */
                role: "user";
                content: string | ({
                    /** @enum {string} */
                    type: "text";
                    text: string;
                } | {
                    /** @enum {string} */
                    type: "image_url";
                    image_url: {
                        url: string;
                        /** @enum {string} */
                        detail?: "auto" | "low" | "high";
                    };
                })[];
                name?: string;
            } | {
                /** @enum {string} */
                role: "assistant";
                content?: (string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[]) | null;
                tool_calls?: {
                    id: string;
                    /** @enum {string} */
                    type: "function";
                    function: {
                        name: string;
                        arguments: string;
                    };
                }[];
                refusal?: string | null;
                name?: string;
            } | {
                /** @enum {string} */
                role: "tool";
                tool_call_id: string;
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
            })[];
            max_tokens?: number | null;
            max_completion_tokens?: number | null;
            temperature?: number | null;
            top_p?: number | null;
            stop?: (string | string[]) | null;
            tools?: {
                /** @enum {string} */
                type: "function";
                function: {
                    name: string;
                    description?: string;
                    parameters?: {
                        [key: string]: unknown;
                    };
                    strict?: boolean | null;
                };
            }[];
            tool_choice?: ("none" | "auto" | "required") | {
                /** @enum {string} */
                type: "function";
                function: {
                    name: string;
                };
            };
            parallel_tool_calls?: boolean | null;
            response_format?: {
                /** @enum {string} */
                type: "text";
            } | {
                /** @enum {string} */
                type: "json_object";
            } | {
                /** @enum {string} */
                type: "json_schema";
                json_schema: {
                    name: string;
                    description?: string;
                    schema: {
                        [key: string]: unknown;
                    };
                    strict?: boolean | null;
                };
            };
            seed?: number | null;
            presence_penalty?: number | null;
            frequency_penalty?: number | null;
            user?: string;
            safety_identifier?: string;
            logprobs?: boolean | null;
            top_logprobs?: number | null;
            /** @description A route name, or provider/model. */
            model: string;
            /**
             * @description Only 1.
             * @enum {number|null}
             */
            n?: 1 | null;
            stream?: boolean | null;
            stream_options?: {
                include_usage?: boolean | null;
                include_obfuscation?: boolean;
            } | null;
            metadata?: {
                [key: string]: string;
            } | null;
            /** @description Ignored: nothing is stored for later. */
            store?: boolean | null;
            /** @description Ignored. */
            service_tier?: string | null;
            /** @description Ignored. */
            prompt_cache_key?: string;
            /** @description Ignored. */
            prompt_cache_retention?: string | null;
            /** @description Only empty: biases are refused. */
            logit_bias?: {
                [key: string]: number;
            } | null;
            /** @description Only ["text"]. */
            modalities?: "text"[] | null;
            /**
             * @description Switchyard extension.
             * @enum {string}
             */
            sensitivity?: "public" | "internal" | "confidential";
            /** @description Switchyard extension: RFC 3339 or "90s". */
            deadline?: string;
        };
        /** @description Switchyard extension: which provider and model answered. */
        ServedByInput: {
            provider: string;
            /** @description The provider's model that answered. */
            model: string;
            job_id: string;
        };
        ChatCompletionInput: {
            id: string;
            /** @enum {string} */
            object: "chat.completion";
            created: number;
            /** @description The model (route) the request named. */
            model: string;
            choices: {
                index: number;
                message: {
                    /** @enum {string} */
                    role: "assistant";
                    /** @description null when the answer only calls tools. */
                    content: string | null;
                    /** @enum {string|null} */
                    refusal: null;
                    tool_calls?: {
                        id: string;
                        /** @enum {string} */
                        type: "function";
                        function: {
                            name: string;
                            arguments: string;
                        };
                    }[];
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
            switchyard: components["schemas"]["ServedByInput"];
        };
        SubmitJobInput: {
            /** @description A route name from the configuration. */
            route?: string;
            /** @description A route name, or provider/model. */
            model?: string;
            messages?: ({
                /** @enum {string} */
                role: "system" | "developer";
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
                name?: string;
            } | {
                /** @enum {string} */
                role: "user";
                content: string | ({
                    /** @enum {string} */
                    type: "text";
                    text: string;
                } | {
                    /** @enum {string} */
                    type: "image_url";
                    image_url: {
                        url: string;
                        /** @enum {string} */
                        detail?: "auto" | "low" | "high";
                    };
                })[];
                name?: string;
            } | {
                /** @enum {string} */
                role: "assistant";
                content?: (string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[]) | null;
                tool_calls?: {
                    id: string;
                    /** @enum {string} */
                    type: "function";
                    function: {
                        name: string;
                        arguments: string;
                    };
                }[];
                refusal?: string | null;
                name?: string;
            } | {
                /** @enum {string} */
                role: "tool";
                tool_call_id: string;
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
            })[];
            max_tokens?: number | null;
            max_completion_tokens?: number | null;
            temperature?: number | null;
            top_p?: number | null;
            stop?: (string | string[]) | null;
            tools?: {
                /** @enum {string} */
                type: "function";
                function: {
                    name: string;
                    description?: string;
                    parameters?: {
                        [key: string]: unknown;
                    };
                    strict?: boolean | null;
                };
            }[];
            tool_choice?: ("none" | "auto" | "required") | {
                /** @enum {string} */
                type: "function";
                function: {
                    name: string;
                };
            };
            parallel_tool_calls?: boolean | null;
            response_format?: {
                /** @enum {string} */
                type: "text";
            } | {
                /** @enum {string} */
                type: "json_object";
            } | {
                /** @enum {string} */
                type: "json_schema";
                json_schema: {
                    name: string;
                    description?: string;
                    schema: {
                        [key: string]: unknown;
                    };
                    strict?: boolean | null;
                };
            };
            seed?: number | null;
            presence_penalty?: number | null;
            frequency_penalty?: number | null;
            user?: string;
            safety_identifier?: string;
            logprobs?: boolean | null;
            top_logprobs?: number | null;
            prompt?: string;
            system?: string;
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
                /** @description The functions the model called (finish_reason tool_calls). */
                tool_calls?: {
                    id: string;
                    name: string;
                    /** @description JSON text. */
                    arguments: string;
                }[];
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
                outcome: "succeeded" | "skipped" | "rate_limited" | "quota_exhausted" | "server_error" | "timeout" | "network_error" | "connection_failed" | "bad_response" | "context_length_exceeded" | "authentication_failed" | "content_filtered" | "invalid_request" | "stream_interrupted" | "quota_never_fits" | "quota_wait_exceeds_deadline" | "quota_sooner_elsewhere" | "deadline_unreachable";
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
        AnthropicMessagesRequestInput: {
            /** @description A route name, or provider/model. */
            model: string;
            max_tokens: number;
            messages: {
                /** @enum {string} */
                role: "user" | "assistant";
                content: string | ({
                    /** @enum {string} */
                    type: "text";
                    text: string;
                } | {
                    /** @enum {string} */
                    type: "image";
                    source: {
                        /** @enum {string} */
                        type: "base64";
                        /** @enum {string} */
                        media_type: "image/jpeg" | "image/png" | "image/gif" | "image/webp";
                        data: string;
                    } | {
                        /** @enum {string} */
                        type: "url";
                        url: string;
                    };
                } | {
                    /** @enum {string} */
                    type: "tool_use";
                    id: string;
                    name: string;
                    input: {
                        [key: string]: unknown;
                    };
                } | {
                    /** @enum {string} */
                    type: "tool_result";
                    tool_use_id: string;
                    content?: string | ({
                        /** @enum {string} */
                        type: "text";
                        text: string;
                    } | {
                        /** @enum {string} */
                        type: "image";
                        source: {
                            /** @enum {string} */
                            type: "base64";
                            /** @enum {string} */
                            media_type: "image/jpeg" | "image/png" | "image/gif" | "image/webp";
                            data: string;
                        } | {
                            /** @enum {string} */
                            type: "url";
                            url: string;
                        };
                    })[];
                    is_error?: boolean;
                })[];
            }[];
            system?: string | {
                /** @enum {string} */
                type: "text";
                text: string;
            }[];
            temperature?: number;
            top_p?: number;
            stop_sequences?: string[];
            tools?: {
                /** @enum {string} */
                type?: "custom";
                name: string;
                description?: string;
                input_schema: {
                    [key: string]: unknown;
                };
                strict?: boolean;
            }[];
            tool_choice?: {
                /** @enum {string} */
                type: "auto";
                disable_parallel_tool_use?: boolean;
            } | {
                /** @enum {string} */
                type: "any";
                disable_parallel_tool_use?: boolean;
            } | {
                /** @enum {string} */
                type: "tool";
                name: string;
                disable_parallel_tool_use?: boolean;
            } | {
                /** @enum {string} */
                type: "none";
            };
            output_config?: {
                format?: {
                    /** @enum {string} */
                    type: "json_schema";
                    schema: {
                        [key: string]: unknown;
                    };
                } | null;
                /**
                 * @description Refused unless null.
                 * @enum {string|null}
                 */
                effort?: null;
            };
            metadata?: {
                user_id?: string | null;
            };
            stream?: boolean;
            /**
             * @description Switchyard extension.
             * @enum {string}
             */
            sensitivity?: "public" | "internal" | "confidential";
            /** @description Switchyard extension: RFC 3339 or "90s". */
            deadline?: string;
        };
        AnthropicMessageInput: {
            id: string;
            /** @enum {string} */
            type: "message";
            /** @enum {string} */
            role: "assistant";
            content: ({
                /** @enum {string} */
                type: "text";
                text: string;
            } | {
                /** @enum {string} */
                type: "tool_use";
                id: string;
                name: string;
                input: {
                    [key: string]: unknown;
                };
            })[];
            /** @description The model the request named (a route, or provider/model). */
            model: string;
            /** @enum {string} */
            stop_reason: "end_turn" | "max_tokens" | "tool_use" | "refusal";
            /** @enum {string|null} */
            stop_sequence: null;
            usage: {
                input_tokens: number;
                output_tokens: number;
            };
            switchyard: components["schemas"]["ServedByInput"];
        };
        AnthropicErrorInput: {
            /** @enum {string} */
            type: "error";
            error: {
                /** @description Anthropic's error type, by HTTP status. */
                type: string;
                message: string;
                /** @description Stable, machine-readable: switch on this. */
                code: string;
                details: {
                    [key: string]: unknown;
                };
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
        Error: {
            error: {
                /** @description Stable, machine-readable: switch on this. */
                code: string;
                message: string;
                details?: unknown;
            };
        };
        ChatCompletionRequest: {
            messages: ({
                /** @enum {string} */
                role: "system" | "developer";
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
                name?: string;
            } | {
                /** @enum {string} */
                role: "user";
                content: string | ({
                    /** @enum {string} */
                    type: "text";
                    text: string;
                } | {
                    /** @enum {string} */
                    type: "image_url";
                    image_url: {
                        url: string;
                        /** @enum {string} */
                        detail?: "auto" | "low" | "high";
                    };
                })[];
                name?: string;
            } | {
                /** @enum {string} */
                role: "assistant";
                content?: (string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[]) | null;
                tool_calls?: {
                    id: string;
                    /** @enum {string} */
                    type: "function";
                    function: {
                        name: string;
                        arguments: string;
                    };
                }[];
                refusal?: string | null;
                name?: string;
            } | {
                /** @enum {string} */
                role: "tool";
                tool_call_id: string;
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
            })[];
            max_tokens?: number | null;
            max_completion_tokens?: number | null;
            temperature?: number | null;
            top_p?: number | null;
            stop?: (string | string[]) | null;
            tools?: {
                /** @enum {string} */
                type: "function";
                function: {
                    name: string;
                    description?: string;
                    parameters?: {
                        [key: string]: unknown;
                    };
                    strict?: boolean | null;
                };
            }[];
            tool_choice?: ("none" | "auto" | "required") | {
                /** @enum {string} */
                type: "function";
                function: {
                    name: string;
                };
            };
            parallel_tool_calls?: boolean | null;
            response_format?: {
                /** @enum {string} */
                type: "text";
            } | {
                /** @enum {string} */
                type: "json_object";
            } | {
                /** @enum {string} */
                type: "json_schema";
                json_schema: {
                    name: string;
                    description?: string;
                    schema: {
                        [key: string]: unknown;
                    };
                    strict?: boolean | null;
                };
            };
            seed?: number | null;
            presence_penalty?: number | null;
            frequency_penalty?: number | null;
            user?: string;
            safety_identifier?: string;
            logprobs?: boolean | null;
            top_logprobs?: number | null;
            /** @description A route name, or provider/model. */
            model: string;
            /**
             * @description Only 1.
             * @enum {number|null}
             */
            n?: 1 | null;
            stream?: boolean | null;
            stream_options?: {
                include_usage?: boolean | null;
                include_obfuscation?: boolean;
            } | null;
            metadata?: {
                [key: string]: string;
            } | null;
            /** @description Ignored: nothing is stored for later. */
            store?: boolean | null;
            /** @description Ignored. */
            service_tier?: string | null;
            /** @description Ignored. */
            prompt_cache_key?: string;
            /** @description Ignored. */
            prompt_cache_retention?: string | null;
            /** @description Only empty: biases are refused. */
            logit_bias?: {
                [key: string]: number;
            } | null;
            /** @description Only ["text"]. */
            modalities?: "text"[] | null;
            /**
             * @description Switchyard extension.
             * @enum {string}
             */
            sensitivity?: "public" | "internal" | "confidential";
            /** @description Switchyard extension: RFC 3339 or "90s". */
            deadline?: string;
        };
        /** @description Switchyard extension: which provider and model answered. */
        ServedBy: {
            provider: string;
            /** @description The provider's model that answered. */
            model: string;
            job_id: string;
        };
        ChatCompletion: {
            id: string;
            /** @enum {string} */
            object: "chat.completion";
            created: number;
            /** @description The model (route) the request named. */
            model: string;
            choices: {
                index: number;
                message: {
                    /** @enum {string} */
                    role: "assistant";
                    /** @description null when the answer only calls tools. */
                    content: string | null;
                    /** @enum {string|null} */
                    refusal: null;
                    tool_calls?: {
                        id: string;
                        /** @enum {string} */
                        type: "function";
                        function: {
                            name: string;
                            arguments: string;
                        };
                    }[];
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
            switchyard: components["schemas"]["ServedBy"];
        };
        SubmitJob: {
            /** @description A route name from the configuration. */
            route?: string;
            /** @description A route name, or provider/model. */
            model?: string;
            messages?: ({
                /** @enum {string} */
                role: "system" | "developer";
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
                name?: string;
            } | {
                /** @enum {string} */
                role: "user";
                content: string | ({
                    /** @enum {string} */
                    type: "text";
                    text: string;
                } | {
                    /** @enum {string} */
                    type: "image_url";
                    image_url: {
                        url: string;
                        /** @enum {string} */
                        detail?: "auto" | "low" | "high";
                    };
                })[];
                name?: string;
            } | {
                /** @enum {string} */
                role: "assistant";
                content?: (string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[]) | null;
                tool_calls?: {
                    id: string;
                    /** @enum {string} */
                    type: "function";
                    function: {
                        name: string;
                        arguments: string;
                    };
                }[];
                refusal?: string | null;
                name?: string;
            } | {
                /** @enum {string} */
                role: "tool";
                tool_call_id: string;
                content: string | {
                    /** @enum {string} */
                    type: "text";
                    text: string;
                }[];
            })[];
            max_tokens?: number | null;
            max_completion_tokens?: number | null;
            temperature?: number | null;
            top_p?: number | null;
            stop?: (string | string[]) | null;
            tools?: {
                /** @enum {string} */
                type: "function";
                function: {
                    name: string;
                    description?: string;
                    parameters?: {
                        [key: string]: unknown;
                    };
                    strict?: boolean | null;
                };
            }[];
            tool_choice?: ("none" | "auto" | "required") | {
                /** @enum {string} */
                type: "function";
                function: {
                    name: string;
                };
            };
            parallel_tool_calls?: boolean | null;
            response_format?: {
                /** @enum {string} */
                type: "text";
            } | {
                /** @enum {string} */
                type: "json_object";
            } | {
                /** @enum {string} */
                type: "json_schema";
                json_schema: {
                    name: string;
                    description?: string;
                    schema: {
                        [key: string]: unknown;
                    };
                    strict?: boolean | null;
                };
            };
            seed?: number | null;
            presence_penalty?: number | null;
            frequency_penalty?: number | null;
            user?: string;
            safety_identifier?: string;
            logprobs?: boolean | null;
            top_logprobs?: number | null;
            prompt?: string;
            system?: string;
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
                /** @description The functions the model called (finish_reason tool_calls). */
                tool_calls?: {
                    id: string;
                    name: string;
                    /** @description JSON text. */
                    arguments: string;
                }[];
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
                outcome: "succeeded" | "skipped" | "rate_limited" | "quota_exhausted" | "server_error" | "timeout" | "network_error" | "connection_failed" | "bad_response" | "context_length_exceeded" | "authentication_failed" | "content_filtered" | "invalid_request" | "stream_interrupted" | "quota_never_fits" | "quota_wait_exceeds_deadline" | "quota_sooner_elsewhere" | "deadline_unreachable";
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
        AnthropicMessagesRequest: {
            /** @description A route name, or provider/model. */
            model: string;
            max_tokens: number;
            messages: {
                /** @enum {string} */
                role: "user" | "assistant";
                content: string | ({
                    /** @enum {string} */
                    type: "text";
                    text: string;
                } | {
                    /** @enum {string} */
                    type: "image";
                    source: {
                        /** @enum {string} */
                        type: "base64";
                        /** @enum {string} */
                        media_type: "image/jpeg" | "image/png" | "image/gif" | "image/webp";
                        data: string;
                    } | {
                        /** @enum {string} */
                        type: "url";
                        url: string;
                    };
                } | {
                    /** @enum {string} */
                    type: "tool_use";
                    id: string;
                    name: string;
                    input: {
                        [key: string]: unknown;
                    };
                } | {
                    /** @enum {string} */
                    type: "tool_result";
                    tool_use_id: string;
                    content?: string | ({
                        /** @enum {string} */
                        type: "text";
                        text: string;
                    } | {
                        /** @enum {string} */
                        type: "image";
                        source: {
                            /** @enum {string} */
                            type: "base64";
                            /** @enum {string} */
                            media_type: "image/jpeg" | "image/png" | "image/gif" | "image/webp";
                            data: string;
                        } | {
                            /** @enum {string} */
                            type: "url";
                            url: string;
                        };
                    })[];
                    is_error?: boolean;
                })[];
            }[];
            system?: string | {
                /** @enum {string} */
                type: "text";
                text: string;
            }[];
            temperature?: number;
            top_p?: number;
            stop_sequences?: string[];
            tools?: {
                /** @enum {string} */
                type?: "custom";
                name: string;
                description?: string;
                input_schema: {
                    [key: string]: unknown;
                };
                strict?: boolean;
            }[];
            tool_choice?: {
                /** @enum {string} */
                type: "auto";
                disable_parallel_tool_use?: boolean;
            } | {
                /** @enum {string} */
                type: "any";
                disable_parallel_tool_use?: boolean;
            } | {
                /** @enum {string} */
                type: "tool";
                name: string;
                disable_parallel_tool_use?: boolean;
            } | {
                /** @enum {string} */
                type: "none";
            };
            output_config?: {
                format?: {
                    /** @enum {string} */
                    type: "json_schema";
                    schema: {
                        [key: string]: unknown;
                    };
                } | null;
                /**
                 * @description Refused unless null.
                 * @enum {string|null}
                 */
                effort?: null;
            };
            metadata?: {
                user_id?: string | null;
            };
            stream?: boolean;
            /**
             * @description Switchyard extension.
             * @enum {string}
             */
            sensitivity?: "public" | "internal" | "confidential";
            /** @description Switchyard extension: RFC 3339 or "90s". */
            deadline?: string;
        };
        AnthropicMessage: {
            id: string;
            /** @enum {string} */
            type: "message";
            /** @enum {string} */
            role: "assistant";
            content: ({
                /** @enum {string} */
                type: "text";
                text: string;
            } | {
                /** @enum {string} */
                type: "tool_use";
                id: string;
                name: string;
                input: {
                    [key: string]: unknown;
                };
            })[];
            /** @description The model the request named (a route, or provider/model). */
            model: string;
            /** @enum {string} */
            stop_reason: "end_turn" | "max_tokens" | "tool_use" | "refusal";
            /** @enum {string|null} */
            stop_sequence: null;
            usage: {
                input_tokens: number;
                output_tokens: number;
            };
            switchyard: components["schemas"]["ServedBy"];
        };
        AnthropicError: {
            /** @enum {string} */
            type: "error";
            error: {
                /** @description Anthropic's error type, by HTTP status. */
                type: string;
                message: string;
                /** @description Stable, machine-readable: switch on this. */
                code: string;
                details: {
                    [key: string]: unknown;
                };
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
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
