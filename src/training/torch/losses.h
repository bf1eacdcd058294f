#pragma once
// Losses of the LibTorch trainers (logits in, scalar out).
//  dice_ce       cross-entropy (optionally class-weighted) + (1 − mean soft
//                Dice over the foreground classes), nnU-Net's default.
//  focal         multi-class focal loss, γ = 2: −Σ w_c (1 − p_t)^γ log p_t,
//                mean over voxels (Lin et al. 2017).
//  binary_focal  the same for one logit per sample, α from class weights.
//  weighted_bce  binary cross-entropy with logits, positives weighted by
//                pos_weight (negatives / positives of the training set by default).
//  centernet     penalty-reduced focal loss on a Gaussian centre heat-map
//                (α = 2, β = 4, normalised by the number of centres) + 0.1 ×
//                L1 size regression at the centres (CenterNet, Zhou et al. 2019).
#include <torch/script.h>

#include <vector>

namespace medai::training::torch_nets {

torch::Tensor dice_ce_loss(const torch::Tensor& logits, const torch::Tensor& target,
                           const std::vector<double>& class_weights);
torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& target,
                         const std::vector<double>& class_weights, double gamma = 2.0);
torch::Tensor binary_focal_loss(const torch::Tensor& logit, const torch::Tensor& target, double alpha,
                                double gamma = 2.0);
torch::Tensor weighted_bce_loss(const torch::Tensor& logit, const torch::Tensor& target, double pos_weight);
// logits [N,4,D,H,W]; heat [N,1,D,H,W] in [0,1] (1 exactly at centres);
// size [N,3,D,H,W] target extents, read where heat == 1.
torch::Tensor centernet_loss(const torch::Tensor& logits, const torch::Tensor& heat, const torch::Tensor& size);

}  // namespace medai::training::torch_nets
