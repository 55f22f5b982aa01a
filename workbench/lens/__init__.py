"""The CNN lens: filters, feature maps, deconvnet projections, guided backpropagation,
Grad-CAM, CAM and activation maximisation for any ``nn.Module`` convnet, Qt-free.

``workbench.lens.views`` returns ready-to-show images; the modules below it hold the math.
"""
