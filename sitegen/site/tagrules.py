"""The built-in tag rules for machine-learning papers (`[tags] default_rules = true`).

Each tag lists whole words and phrases, matched case-insensitively against title and
abstract; a hyphen matches a hyphen or a space ("zero-shot" matches "zero shot"). Plurals
are listed explicitly: "agent" does not match "agents" (nor "reagent"). A site's own rule for
one of these tags replaces it (`[tags] rules`), an empty list switches it off.
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
        "mllms", "clip", "image-text", "text-image", "visual question answering", "vqa",
        "image captioning", "multimodal large language model",
        "multimodal large language models", "visual-language",
    ),
    "multimodal": ("multimodal", "multi-modal", "cross-modal", "audio-visual", "modalities"),
    "diffusion": (
        "diffusion model", "diffusion models", "diffusion", "denoising", "text-to-image",
        "text-to-video", "stable diffusion", "score-based", "flow matching",
    ),
    "reinforcement learning": (
        "reinforcement learning", "rl", "rlhf", "reward model", "reward models", "ppo", "dpo",
        "policy optimization", "q-learning", "offline rl",
    ),
    "agents": ("agent", "agents", "agentic", "multi-agent", "tool use", "tool-use"),
    "benchmark": ("benchmark", "benchmarks", "leaderboard", "evaluation suite"),
    "zero-shot": ("zero-shot", "zeroshot", "few-shot", "one-shot", "open-vocabulary",
                  "open-set", "unseen classes"),
    "efficiency": (
        "efficient", "efficiency", "quantization", "pruning", "distillation", "compression",
        "low-rank", "lora", "sparse", "sparsity", "speedup", "latency", "parameter-efficient",
        "training-free", "lightweight",
    ),
    "robotics": (
        "robot", "robots", "robotic", "robotics", "manipulation", "embodied", "navigation",
        "autonomous driving",
    ),
    "speech": (
        "speech", "asr", "speech recognition", "text-to-speech", "tts", "spoken", "audio",
    ),
    "code": (
        "code generation", "program synthesis", "coding", "software engineering",
        "programming", "source code", "code llm", "code llms",
    ),
    "safety": (
        "safety", "alignment", "jailbreak", "jailbreaks", "red teaming", "harmful", "toxicity",
        "privacy", "adversarial attack", "adversarial attacks", "backdoor", "de-identification",
        "hallucination", "hallucinations",
    ),
    "reasoning": ("reasoning", "chain-of-thought", "mathematical reasoning", "planning"),
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
    "nlp": ("natural language processing", "nlp", "machine translation", "text classification",
            "named entity recognition", "sentiment analysis", "question answering"),
    "domain adaptation": ("domain adaptation", "domain generalization", "out-of-distribution",
                          "distribution shift", "distribution shifts", "domain shift"),
    "continual learning": ("continual learning", "lifelong learning", "catastrophic forgetting",
                           "incremental learning"),
    "theory": ("theory", "theoretical", "inductive bias", "inductive biases", "sample complexity",
               "generalization bound", "generalization bounds", "information-theoretic",
               "convergence rate", "provably"),
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
    "cs.CR": "safety",
    "cs.MA": "agents",
    "q-bio.BM": "biology",
}
