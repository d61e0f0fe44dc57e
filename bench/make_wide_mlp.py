"""Writes a wider MLP for timing the model server where inference, not HTTP, is the cost.

    input [N, 32] -> 1024 (ReLU) -> 1024 (ReLU) -> 2 (Softmax) = probabilities [N, 2]

About 1.1M parameters, seeded random weights: its answers do not matter, its cost does.
Usage: /usr/bin/python3 bench/make_wide_mlp.py OUT.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

WIDTH = 1024
rng = np.random.default_rng(2024)


def dense(name, n_in, n_out):
    weight = (rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)).astype(np.float32)
    bias = np.zeros(n_out, dtype=np.float32)
    return [numpy_helper.from_array(weight, f"{name}_w"), numpy_helper.from_array(bias, f"{name}_b")]


initializers = dense("l1", 32, WIDTH) + dense("l2", WIDTH, WIDTH) + dense("l3", WIDTH, 2)
nodes = [
    helper.make_node("MatMul", ["input", "l1_w"], ["h1m"]),
    helper.make_node("Add", ["h1m", "l1_b"], ["h1a"]),
    helper.make_node("Relu", ["h1a"], ["h1"]),
    helper.make_node("MatMul", ["h1", "l2_w"], ["h2m"]),
    helper.make_node("Add", ["h2m", "l2_b"], ["h2a"]),
    helper.make_node("Relu", ["h2a"], ["h2"]),
    helper.make_node("MatMul", ["h2", "l3_w"], ["logits_m"]),
    helper.make_node("Add", ["logits_m", "l3_b"], ["logits"]),
    helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1),
]
graph = helper.make_graph(
    nodes,
    "mlp_wide",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 32])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", 2])],
    initializer=initializers,
)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="modelgate-bench")
model.ir_version = 8
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
