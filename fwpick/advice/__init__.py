"""The advisor.

The questionnaire, the answers from their sources, the knowledge and the recommendation.
"""
