# A tiny TorchScript model for the portal's browser test (same function as
# tests/integration/app_run_test.cc): bright voxels (> 0.5 after the app's
# window) become a "finding". Usage: /usr/bin/python3 demo_model.py OUT.pt
import sys

import torch


class BrightStructures(torch.nn.Module):
    def forward(self, x):
        return torch.sigmoid((x - 0.5) * 20.0)


torch.jit.script(BrightStructures()).save(sys.argv[1])
