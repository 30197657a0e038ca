"""The built-in tag rules for machine-learning papers (`[tags] default_rules = true`).

Each tag lists whole words and phrases, matched case-insensitively against title and
abstract; a hyphen matches a hyphen or a space ("zero-shot" matches "zero shot"). Plurals
are listed explicitly: "agent" does not match "agents" (nor "reagent"). A site's own rule for
one of these tags replaces it (`[tags] rules`), an empty list switches it off.

A word that abstracts use in passing ("reasoning", "efficient") counts in the title only:
`/^[^\n]*word/` (regexes run on the title and the abstract joined by a newline, so `^` is
the title's start); `(?-i:CLIP)` matches the capitals only (CLIP the model, not a video
clip). docs/tags-evaluation.md measures the rules on real papers and says why each
narrowing was made.
"""

from __future__ import annotations

DEFAULT_RULES: dict[str, tuple[str, ...]] = {
    "llm": (
        "llm", "llms", "large language model", "large language models", "gpt", "gpt-3",
        "gpt-4", "gpt-4o", "chatgpt", "llama", "instruction tuning", "instruction-tuned",
        "in-context learning", "chain-of-thought", "language model", "language models",
    ),
    "vision-language": (
        "vision-language", "vision language model", "vlm", "vlms", "lvlm", "lvlms", "mllm",
        "mllms", "/(?-i:CLIP)/", "image-text", "text-image", "visual question answering", "vqa",
        "image captioning", "multimodal large language model",
        "multimodal large language models", "visual-language",
    ),
    "multimodal": ("multimodal", "multi-modal", "cross-modal", "audio-visual", "modalities"),
    # not "denoising": image denoising is not diffusion
    "diffusion": (
        "diffusion model", "diffusion models", "diffusion", "text-to-image",
        "text-to-video", "stable diffusion", "score-based", "flow matching",
    ),
    "reinforcement learning": (
        "reinforcement learning", "rl", "rlhf", "reward model", "reward models", "ppo", "dpo",
        "policy optimization", "q-learning", "offline rl",
    ),
    # not "agent": in reinforcement learning the learner is "the agent"
    "agents": ("agents", "agentic", "multi-agent", "tool use", "tool-use", "llm agent",
               "ai agent", "autonomous agent", "coding agent", "software agent",
               "tool calling", "tool-calling", "computer-use", "gui agent", "web agent"),
    # a paper that makes a benchmark, not one evaluated "on standard benchmarks"
    "benchmark": (
        "leaderboard", "evaluation suite", "benchmark suite", r"/^[^\n]*benchmarking/",
        "we benchmark", "new benchmark", "novel benchmark", "comprehensive benchmark",
        "first benchmark", "large-scale benchmark", "benchmark for", "benchmark to evaluate",
        "benchmark that", "benchmark designed",
        r"/^[\w-]*bench/",  # a title naming one: "ParrotBench: ..."
    ),
    "zero-shot": ("zero-shot", "zeroshot", "few-shot", "one-shot learning",
                  "open-vocabulary", "open-set", "unseen classes"),
    # techniques for cheaper models, not every "efficient" method
    "efficiency": (
        r"/^[^\n]*efficien(?:t|cy)/",
        "quantization", "quantized", "pruning", "knowledge distillation", "model compression",
        "token compression", "token pruning", "kv cache", "speculative decoding",
        "sparse attention", "linear attention", "parameter-efficient", "lora",
        "low-rank adaptation", "efficient inference", "inference efficiency",
        "inference acceleration", "memory-efficient", "compute-efficient", "speedup",
        "on-device", "edge devices", "resource-constrained", "resource-limited",
    ),
    "robotics": (
        "robot", "robots", "robotic", "robotics", "robotic manipulation", "embodied",
        "robot navigation", "autonomous driving", "humanoid", "locomotion", "quadruped",
        "vision-language-action",
    ),
    # not "asr": in safety papers it is the attack success rate
    "speech": (
        "speech", "speech recognition", "text-to-speech", "tts", "spoken",
        "speaker diarization",
    ),
    # not "source code": "our source code is available"
    "code": (
        "code generation", "program synthesis", "software engineering", "code llm",
        "code llms", "coding agent", "coding agents", "code agent", "code agents",
        "competitive programming", "programming languages", "program repair",
        "code completion",
    ),
    # harm from models; not "alignment" (feature alignment), "hallucination", "privacy" or
    # "harmful" alone ("harmful to knowledge transfer")
    "safety": (
        "safety", "ai safety", "jailbreak", "jailbreaks", "jailbreaking", "red teaming",
        r"/harmful (?:content|outputs?|responses?|requests?|prompts?|behaviou?rs?|code)/",
        "toxicity", "adversarial attack", "adversarial attacks", "backdoor",
        "backdoors", "poisoning attack", "poisoning attacks", "data poisoning", "guardrail",
        "guardrails", "unsafe",
    ),
    # "reasoning" in the title: abstracts mention it in passing; not "planning" (path and
    # motion planning are robotics)
    "reasoning": (r"/^[^\n]*reasoning/", "chain-of-thought", "mathematical reasoning",
                  "reasoning models", "reasoning traces"),
    "retrieval": ("retrieval", "retrieval-augmented", "rag", "information retrieval"),
    "video": ("video", "videos", "action recognition", "egocentric"),
    "3d": ("3d", "point cloud", "point clouds", "nerf", "gaussian splatting", "depth estimation",
           "depth completion", "scene graph", "scene graphs"),
    "medical": ("medical", "clinical", "healthcare", "biomedical", "radiology", "patient",
                "patients", "mri"),
    "biology": ("protein", "proteins", "molecule", "molecules", "molecular", "genomics",
                "drug discovery"),
    "graphs": ("graph neural network", "graph neural networks", "gnn", "gnns",
               "knowledge graph", "knowledge graphs"),
    "recommendation": ("recommendation", "recommender", "recommender systems"),
    "computer vision": (
        "object detection", "segmentation", "image classification", "semantic segmentation",
        "image recognition", "visual recognition", "image matching", "image retrieval",
    ),
    # not "nlp" (lab names in URLs) or "question answering" (visual, agents' QA)
    "nlp": ("natural language processing", "machine translation", "text classification",
            "named entity recognition", "sentiment analysis"),
    # not "out-of-distribution" or "distribution shift" alone: mentioned in passing
    "domain adaptation": ("domain adaptation", "domain generalization", "test-time adaptation",
                          "out-of-distribution detection", "out-of-distribution generalization",
                          "ood detection", "ood generalization"),
    "continual learning": ("continual learning", "lifelong learning", "catastrophic forgetting",
                           "incremental learning"),
    # results about learning, not every paper with a "theoretical analysis"
    "theory": ("sample complexity", "generalization bound", "generalization bounds",
               "information-theoretic", "convergence rate", "convergence rates", "provably",
               "regret bound", "regret bounds", "pac-bayes", "pac learning", "minimax"),
    "time series": ("time series", "time-series", "forecasting"),
    "anomaly detection": ("anomaly detection", "anomaly", "anomalies", "outlier detection"),
}

#: arXiv categories -> tags, used with the default rules (a site's `[tags] keywords` wins).
DEFAULT_KEYWORDS: dict[str, str] = {
    "cs.CL": "nlp",
    "cs.CV": "computer vision",
    "cs.RO": "robotics",
    "cs.SD": "speech",
    "eess.AS": "speech",
    "cs.IR": "retrieval",
    "cs.SE": "code",
    "cs.MA": "agents",
    "q-bio.BM": "biology",
}
